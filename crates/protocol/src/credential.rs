//! Secrets on the wire: never `Debug`-printed, zeroized when dropped.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use waystation_core::DeviceId;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::error::ProtocolError;

macro_rules! secret_text {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
        #[serde(transparent)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String))]
        pub struct $name(String);

        impl $name {
            /// Wrap a secret.
            pub fn new(text: impl Into<String>) -> Self {
                Self(text.into())
            }
            /// The secret itself: only to hash it or send it.
            pub fn expose(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(redacted)"))
            }
        }
    };
}

secret_text!(
    /// A one-time enrollment code, as an administrator printed it.
    EnrollmentCode
);
secret_text!(
    /// A device's secret, given once at enrollment; the service keeps only its hash.
    DeviceSecret
);
secret_text!(
    /// A user's password, sent only over TLS at sign-in.
    Password
);

/// What a device presents on every request: `Authorization: Bearer <device_id>.<secret>`.
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceCredential {
    /// The device.
    pub device_id: DeviceId,
    /// Its secret.
    pub secret: DeviceSecret,
}

impl DeviceCredential {
    /// The token to put after `Bearer `.
    pub fn bearer_token(&self) -> String {
        format!("{}.{}", self.device_id, self.secret.expose())
    }
}

impl fmt::Debug for DeviceCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceCredential").field("device_id", &self.device_id).field("secret", &self.secret).finish()
    }
}

impl FromStr for DeviceCredential {
    type Err = ProtocolError;
    /// Parse `<device_id>.<secret>` (the part after `Bearer `).
    fn from_str(token: &str) -> Result<Self, Self::Err> {
        let (id, secret) = token.split_once('.').ok_or(ProtocolError::BadCredential)?;
        let device_id = DeviceId::parse("device_id", id).map_err(|_| ProtocolError::BadCredential)?;
        if secret.is_empty() || secret.len() > 256 {
            return Err(ProtocolError::BadCredential);
        }
        Ok(Self { device_id, secret: DeviceSecret::new(secret) })
    }
}
