//! A fault-injecting HTTP/1.1 proxy on 127.0.0.1, between the sync client
//! and the service. Per request to `/v1/push` or `/v1/pull` (or the routes
//! its plan names, such as enrollment's) it may:
//! drop the request (close without forwarding), delay it, reset the client
//! connection before or after forwarding, cut the response short after the
//! service committed, or send the request to the service twice at once.
//! It can also add a fixed latency to every request (the benchmark's 20 ms)
//! and switch its upstream (a restarted service).

use anyhow::{Context, Result, bail};
use rand::Rng;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One kind of fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The request is read and the connection closed; the service never sees it.
    Drop,
    /// The request waits a little before it is forwarded.
    Delay,
    /// The client connection is reset before forwarding.
    ResetBefore,
    /// The request is forwarded (the service commits), then the client connection is reset.
    ResetAfter,
    /// The request is forwarded, and only part of the answer reaches the client.
    CutResponse,
    /// The request is sent to the service twice, concurrently; the client gets one answer.
    Duplicate,
}

impl Fault {
    /// Every kind.
    pub const ALL: [Fault; 6] =
        [Fault::Drop, Fault::Delay, Fault::ResetBefore, Fault::ResetAfter, Fault::CutResponse, Fault::Duplicate];
    fn index(self) -> usize {
        Fault::ALL.iter().position(|f| *f == self).unwrap_or(0)
    }
}

/// What the proxy does now.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Share of sync requests that get a fault (0 to 1).
    pub fault_rate: f64,
    /// Kinds to inject, in turn (so each gets its share however few faults there are).
    pub kinds: Vec<Fault>,
    /// Latency added to every request.
    pub latency: Duration,
    /// Longest random [`Fault::Delay`].
    pub max_delay: Duration,
    /// The routes whose requests may get a fault (by prefix): push and pull
    /// unless told otherwise.
    pub routes: Vec<&'static str>,
}

impl Plan {
    /// No faults, no latency.
    pub fn clean() -> Self {
        Self {
            fault_rate: 0.0,
            kinds: Fault::ALL.to_vec(),
            latency: Duration::ZERO,
            max_delay: Duration::from_millis(40),
            routes: vec!["/v1/push", "/v1/pull"],
        }
    }
    /// A link that drops during enrollment: on `rate` of the enroll and
    /// sign-in requests, the connection is cut before forwarding or in the
    /// middle of the answer (after the service committed), or the request
    /// reaches the service twice.
    pub fn enrollment_cuts(rate: f64) -> Self {
        Self {
            fault_rate: rate,
            kinds: vec![Fault::Drop, Fault::CutResponse, Fault::ResetBefore, Fault::ResetAfter, Fault::Duplicate],
            routes: vec!["/v1/enroll", "/v1/signin"],
            ..Self::clean()
        }
    }
    /// Faults of every kind on `rate` of the sync requests.
    pub fn faults(rate: f64) -> Self {
        Self { fault_rate: rate, ..Self::clean() }
    }
}

#[derive(Debug, Default)]
struct Counts {
    faults: [AtomicU64; 6],
    injected: AtomicU64,
    requests: AtomicU64,
}

/// The running proxy (stops when dropped).
#[derive(Debug)]
pub struct FaultProxy {
    /// Where clients connect.
    pub addr: SocketAddr,
    upstream: Arc<Mutex<SocketAddr>>,
    plan: Arc<Mutex<Plan>>,
    counts: Arc<Counts>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FaultProxy {
    /// A proxy to `upstream` on 127.0.0.1, port 0.
    pub async fn start(upstream: SocketAddr, plan: Plan) -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let upstream = Arc::new(Mutex::new(upstream));
        let plan = Arc::new(Mutex::new(plan));
        let counts = Arc::new(Counts::default());
        let (u, p, c) = (upstream.clone(), plan.clone(), counts.clone());
        let task = tokio::spawn(async move {
            while let Ok((conn, _)) = listener.accept().await {
                let (u, p, c) = (u.clone(), p.clone(), c.clone());
                tokio::spawn(async move {
                    let _ = serve_connection(conn, u, p, c).await;
                });
            }
        });
        Ok(Self { addr, upstream, plan, counts, task })
    }

    /// The proxy's base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Change what the proxy does.
    pub fn set_plan(&self, plan: Plan) {
        *self.plan.lock().unwrap_or_else(|e| e.into_inner()) = plan;
    }

    /// Send to another service address.
    pub fn set_upstream(&self, addr: SocketAddr) {
        *self.upstream.lock().unwrap_or_else(|e| e.into_inner()) = addr;
    }

    /// Faults injected so far, per kind (in [`Fault::ALL`] order).
    pub fn fault_counts(&self) -> [(Fault, u64); 6] {
        Fault::ALL.map(|f| (f, self.counts.faults[f.index()].load(Ordering::Relaxed)))
    }

    /// Requests seen so far (every path).
    pub fn requests(&self) -> u64 {
        self.counts.requests.load(Ordering::Relaxed)
    }
}

/// One request as read from the client: its raw bytes and its path.
struct Request {
    head: Vec<u8>,
    body: Vec<u8>,
    path: String,
}

async fn read_request(conn: &mut TcpStream, buf: &mut Vec<u8>) -> Result<Option<Request>> {
    let head_end = loop {
        if let Some(i) = find(buf, b"\r\n\r\n") {
            break i + 4;
        }
        let mut chunk = [0u8; 16 * 1024];
        let n = conn.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head: Vec<u8> = buf.drain(..head_end).collect();
    let text = String::from_utf8_lossy(&head).to_string();
    let path = text.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let len = content_length(&text).unwrap_or(0);
    while buf.len() < len {
        let mut chunk = vec![0u8; (len - buf.len()).min(256 * 1024)];
        let n = conn.read(&mut chunk).await?;
        if n == 0 {
            bail!("the client closed mid-body");
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body: Vec<u8> = buf.drain(..len).collect();
    Ok(Some(Request { head, body, path }))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn content_length(head: &str) -> Option<usize> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case("content-length").then(|| v.trim().parse().ok()).flatten()
    })
}

/// Forward one request on a new upstream connection (`connection: close`) and read the whole answer.
async fn forward(upstream: SocketAddr, req: &Request) -> Result<Vec<u8>> {
    let mut up = TcpStream::connect(upstream).await.context("connect upstream")?;
    up.set_nodelay(true)?;
    let text = String::from_utf8_lossy(&req.head);
    let mut lines = text.split("\r\n");
    let mut head = String::new();
    head.push_str(lines.next().unwrap_or_default());
    head.push_str("\r\nconnection: close");
    for l in lines {
        if l.to_ascii_lowercase().starts_with("connection:") {
            continue;
        }
        head.push_str("\r\n");
        head.push_str(l);
    }
    up.write_all(head.as_bytes()).await?;
    up.write_all(&req.body).await?;
    let mut answer = Vec::new();
    read_to_end(&mut up, &mut answer).await?;
    if answer.is_empty() {
        bail!("the service closed without answering");
    }
    Ok(answer)
}

async fn read_to_end<R: AsyncRead + Unpin>(r: &mut R, out: &mut Vec<u8>) -> Result<()> {
    r.read_to_end(out).await?;
    Ok(())
}

#[allow(deprecated)]
fn reset(conn: TcpStream) {
    // SO_LINGER 0: closing sends RST instead of FIN.
    let _ = conn.set_linger(Some(Duration::ZERO));
    drop(conn);
}

async fn serve_connection(
    mut conn: TcpStream,
    upstream: Arc<Mutex<SocketAddr>>,
    plan: Arc<Mutex<Plan>>,
    counts: Arc<Counts>,
) -> Result<()> {
    conn.set_nodelay(true)?;
    let mut buf = Vec::new();
    // The service answers `connection: close` (see `forward`), and so one
    // request per client connection.
    let Some(req) = read_request(&mut conn, &mut buf).await? else { return Ok(()) };
    {
        counts.requests.fetch_add(1, Ordering::Relaxed);
        let plan = plan.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let up = *upstream.lock().unwrap_or_else(|e| e.into_inner());
        if !plan.latency.is_zero() {
            tokio::time::sleep(plan.latency).await;
        }
        let faultable = plan.routes.iter().any(|r| req.path.starts_with(r));
        let fault = (faultable && !plan.kinds.is_empty() && rand::rng().random_bool(plan.fault_rate.clamp(0.0, 1.0)))
            .then(|| plan.kinds[counts.injected.fetch_add(1, Ordering::Relaxed) as usize % plan.kinds.len()]);
        if let Some(f) = fault {
            counts.faults[f.index()].fetch_add(1, Ordering::Relaxed);
        }
        let answer = match fault {
            Some(Fault::Drop) => return Ok(()),
            Some(Fault::ResetBefore) => {
                reset(conn);
                return Ok(());
            }
            Some(Fault::Delay) => {
                let ms = rand::rng().random_range(1..=plan.max_delay.as_millis().max(1) as u64);
                tokio::time::sleep(Duration::from_millis(ms)).await;
                forward(up, &req).await
            }
            Some(Fault::Duplicate) => {
                let (a, b) = tokio::join!(forward(up, &req), forward(up, &req));
                if rand::rng().random_bool(0.5) { a.or(b) } else { b.or(a) }
            }
            _ => forward(up, &req).await,
        };
        let Ok(answer) = answer else {
            // The service is down (a restart): the client sees the connection fail.
            reset(conn);
            return Ok(());
        };
        match fault {
            Some(Fault::ResetAfter) => {
                reset(conn);
                return Ok(());
            }
            Some(Fault::CutResponse) => {
                let keep = rand::rng().random_range(1..answer.len().max(2));
                conn.write_all(&answer[..keep.min(answer.len())]).await?;
                conn.flush().await?;
                return Ok(());
            }
            _ => {
                conn.write_all(&answer).await?;
                conn.flush().await?;
            }
        }
    }
    Ok(())
}
