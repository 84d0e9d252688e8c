//! Identifiers made on devices: cases, operations, devices, list items.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

use crate::error::FieldError;

macro_rules! uuid_id {
    ($(#[$meta:meta])* $name:ident, $what:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, format = Uuid))]
        pub struct $name(Uuid);

        impl $name {
            /// A new time-ordered (UUIDv7) id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
            /// An id from a fixed number (tests and fixtures).
            pub fn from_u128(v: u128) -> Self {
                Self(Uuid::from_u128(v))
            }
            /// The id as a UUID.
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
            /// Parse an id from text, naming `field` in the error.
            pub fn parse(field: &str, text: &str) -> Result<Self, FieldError> {
                Uuid::parse_str(text.trim())
                    .map(Self)
                    .map_err(|_| FieldError::new(field, concat!("is not a valid ", $what, " id (expected a UUID)")))
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl From<Uuid> for $name {
            fn from(u: Uuid) -> Self {
                Self(u)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = FieldError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse("id", s)
            }
        }
    };
}

uuid_id!(
    /// One child's case.
    CaseId, "case"
);
uuid_id!(
    /// One operation (one change to one case), made on a device.
    OpId, "operation"
);
uuid_id!(
    /// One enrolled device (a field laptop).
    DeviceId, "device"
);
uuid_id!(
    /// One item of a case's list: an accompanying adult, a referral, a note, a service.
    ItemId, "item"
);
