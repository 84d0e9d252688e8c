//! The connection to PostgreSQL over TLS (rustls), with `sslmode` as in
//! libpq: `disable`, `prefer`, `require` (encrypted, the certificate not
//! checked), `verify-ca` (signed by the CA in `sslrootcert`), `verify-full`
//! (that, and issued for the host connected to). `sslmode` and `sslrootcert`
//! are read from the URL's query (`postgres://…/db?sslmode=verify-full&sslrootcert=/etc/…/ca.pem`).
//! The default is `verify-full` for a database on another host and `prefer`
//! on this machine (a loopback address, `localhost` or a Unix socket); a
//! connection that may be plain (`disable`, `prefer`) to another host is
//! refused unless the operator allowed it.

use std::future::Future;
use std::io;
use std::path::PathBuf;
use std::pin::Pin;
use std::str::FromStr;
use std::sync::Arc;
use std::task::{Context, Poll};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_postgres::config::Host;
use tokio_postgres::tls::{ChannelBinding, MakeTlsConnect, TlsConnect, TlsStream};

/// How the connection is protected (libpq's `sslmode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    /// Plain.
    Disable,
    /// TLS when the server offers it (not checked), else plain.
    Prefer,
    /// TLS; the certificate is not checked.
    Require,
    /// TLS; the certificate is signed by the CA in `sslrootcert`.
    VerifyCa,
    /// TLS; signed by that CA and issued for the host connected to.
    VerifyFull,
}

impl SslMode {
    fn parse(text: &str) -> Result<Self, String> {
        Ok(match text {
            "disable" => Self::Disable,
            "prefer" | "allow" => Self::Prefer,
            "require" => Self::Require,
            "verify-ca" => Self::VerifyCa,
            "verify-full" => Self::VerifyFull,
            other => {
                return Err(format!("sslmode={other} is not one of disable, prefer, require, verify-ca, verify-full"));
            }
        })
    }

    /// Whether the connection may go without TLS.
    pub fn may_be_plain(self) -> bool {
        matches!(self, Self::Disable | Self::Prefer)
    }
}

/// Where and how to connect: the driver's configuration (without the TLS
/// parameters it does not know), the mode, and the CA file.
#[derive(Debug, Clone)]
pub struct Target {
    /// The driver's configuration, its `ssl_mode` set from [`Target::mode`].
    pub config: tokio_postgres::Config,
    /// The mode.
    pub mode: SslMode,
    /// The CA certificates (PEM) that `verify-ca` and `verify-full` trust.
    pub root: Option<PathBuf>,
}

impl Target {
    /// Read a `postgres://` URL. `allow_plain`: a connection that may be
    /// plain is allowed to another host too.
    pub fn parse(url: &str, allow_plain: bool) -> Result<Self, String> {
        let (base, query) = url.split_once('?').unwrap_or((url, ""));
        let (mut mode, mut root, mut rest) = (None, None, Vec::new());
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some(("sslmode", v)) => mode = Some(SslMode::parse(v)?),
                Some(("sslrootcert", v)) => root = Some(PathBuf::from(percent_decoded(v))),
                _ => rest.push(pair),
            }
        }
        let driver_url = if rest.is_empty() { base.to_owned() } else { format!("{base}?{}", rest.join("&")) };
        let mut config = tokio_postgres::Config::from_str(&driver_url)
            .map_err(|_| "the database URL is not a valid postgres:// URL".to_owned())?;
        let local = is_local(&config);
        let mode = mode.unwrap_or(if local { SslMode::Prefer } else { SslMode::VerifyFull });
        if mode.may_be_plain() && !local && !allow_plain {
            return Err(format!(
                "the database is on another host and sslmode={} may send every case over the network \
                 unencrypted: use sslmode=verify-full (the default, with sslrootcert=CA.pem), verify-ca or \
                 require, or allow a plain connection with --allow-plain-database",
                if mode == SslMode::Disable { "disable" } else { "prefer" }
            ));
        }
        if matches!(mode, SslMode::VerifyCa | SslMode::VerifyFull) && root.is_none() {
            return Err("sslmode=verify-ca and verify-full need the certificate authority that signed the database's \
                 certificate: add sslrootcert=/path/to/ca.pem to the database URL"
                .to_owned());
        }
        config.ssl_mode(match mode {
            SslMode::Disable => tokio_postgres::config::SslMode::Disable,
            SslMode::Prefer => tokio_postgres::config::SslMode::Prefer,
            _ => tokio_postgres::config::SslMode::Require,
        });
        Ok(Self { config, mode, root })
    }

    /// The TLS connector for this target (`None` for `disable`).
    pub fn connector(&self) -> Result<Option<RustlsConnect>, String> {
        if self.mode == SslMode::Disable {
            return Ok(None);
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS: {e}"))?;
        let config = match (self.mode, &self.root) {
            (SslMode::VerifyCa | SslMode::VerifyFull, Some(path)) => {
                let mut roots = RootCertStore::empty();
                let certs = CertificateDer::pem_file_iter(path)
                    .map_err(|e| format!("cannot read sslrootcert {}: {e}", path.display()))?;
                for cert in certs {
                    let cert = cert.map_err(|e| format!("cannot read sslrootcert {}: {e}", path.display()))?;
                    roots.add(cert).map_err(|e| format!("sslrootcert {}: {e}", path.display()))?;
                }
                if roots.is_empty() {
                    return Err(format!("sslrootcert {} holds no certificate", path.display()));
                }
                let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
                    .build()
                    .map_err(|e| format!("TLS: {e}"))?;
                if self.mode == SslMode::VerifyFull {
                    builder.with_webpki_verifier(webpki).with_no_client_auth()
                } else {
                    builder
                        .dangerous()
                        .with_custom_certificate_verifier(Arc::new(AnyName(webpki)))
                        .with_no_client_auth()
                }
            }
            _ => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(Unchecked(provider)))
                .with_no_client_auth(),
        };
        Ok(Some(RustlsConnect(Arc::new(config))))
    }
}

/// Whether every host of the configuration is this machine.
fn is_local(config: &tokio_postgres::Config) -> bool {
    let hosts = config.get_hosts();
    !hosts.is_empty()
        && hosts.iter().all(|h| match h {
            Host::Tcp(name) => name == "localhost" || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback()),
            #[cfg(unix)]
            Host::Unix(_) => true,
        })
}

fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = text.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `verify-ca`: the chain is checked against the CA; the name is not.
#[derive(Debug)]
struct AnyName(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for AnyName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self.0.verify_server_cert(end_entity, intermediates, server_name, ocsp, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// `require` and `prefer`: encrypted, the certificate not checked (libpq's
/// meaning); the handshake's signatures still are.
#[derive(Debug)]
struct Unchecked(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// The driver's TLS connector over rustls.
#[derive(Clone)]
pub struct RustlsConnect(Arc<ClientConfig>);

impl<S> MakeTlsConnect<S> for RustlsConnect
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = RustlsStream<S>;
    type TlsConnect = RustlsConnector;
    type Error = rustls::pki_types::InvalidDnsNameError;

    fn make_tls_connect(&mut self, domain: &str) -> Result<RustlsConnector, Self::Error> {
        let name = ServerName::try_from(domain.to_owned())?;
        Ok(RustlsConnector { connector: tokio_rustls::TlsConnector::from(self.0.clone()), name })
    }
}

/// One connection's handshake.
pub struct RustlsConnector {
    connector: tokio_rustls::TlsConnector,
    name: ServerName<'static>,
}

impl<S> TlsConnect<S> for RustlsConnector
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = RustlsStream<S>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<RustlsStream<S>>> + Send>>;

    fn connect(self, stream: S) -> Self::Future {
        Box::pin(async move { self.connector.connect(self.name, stream).await.map(RustlsStream) })
    }
}

/// A TLS connection to the database.
pub struct RustlsStream<S>(tokio_rustls::client::TlsStream<S>);

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for RustlsStream<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for RustlsStream<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> TlsStream for RustlsStream<S> {
    fn channel_binding(&self) -> ChannelBinding {
        ChannelBinding::none()
    }
}

/// Connect one client to `url` as the service does (the same TLS rules),
/// its connection driven on a task: for tools and tests.
pub async fn connect(url: &str) -> Result<tokio_postgres::Client, String> {
    let target = Target::parse(url, true)?;
    match target.connector()? {
        Some(tls) => {
            let (client, conn) = target.config.connect(tls).await.map_err(|e| e.to_string())?;
            tokio::spawn(conn);
            Ok(client)
        }
        None => {
            let (client, conn) = target.config.connect(tokio_postgres::NoTls).await.map_err(|e| e.to_string())?;
            tokio::spawn(conn);
            Ok(client)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mode_defaults_by_host_and_a_plain_connection_elsewhere_is_refused() {
        let t = Target::parse("postgres://u:p@127.0.0.1/db", false).unwrap();
        assert_eq!(t.mode, SslMode::Prefer);
        let e = Target::parse("postgres://u:p@db.example.org/db", false).unwrap_err();
        assert!(e.contains("sslrootcert"), "verify-full is the default elsewhere: {e}");
        let t = Target::parse("postgres://u:p@db.example.org/db?sslrootcert=%2Fetc%2Fca.pem", false).unwrap();
        assert_eq!((t.mode, t.root.as_deref()), (SslMode::VerifyFull, Some(std::path::Path::new("/etc/ca.pem"))));
        for mode in ["disable", "prefer"] {
            let e = Target::parse(&format!("postgres://u:p@10.0.0.5/db?sslmode={mode}"), false).unwrap_err();
            assert!(e.contains("--allow-plain-database"), "{e}");
            assert!(Target::parse(&format!("postgres://u:p@10.0.0.5/db?sslmode={mode}"), true).is_ok());
        }
        assert!(Target::parse("postgres://u:p@10.0.0.5/db?sslmode=require", false).is_ok());
        let e = Target::parse("postgres://u:p@localhost/db?sslmode=verify-everything", false).unwrap_err();
        assert!(e.contains("verify-full"), "{e}");
        let t = Target::parse("postgres://u:p@localhost/db?sslmode=disable&application_name=w", false).unwrap();
        assert_eq!(t.config.get_application_name(), Some("w"), "other parameters reach the driver");
        assert!(t.connector().unwrap().is_none());
    }
}
