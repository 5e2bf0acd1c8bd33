//! A real IMAP server for tests: a private Dovecot (Debian's `dovecot-imapd`, installed by
//! scripts/ensure-tools.sh) on a loopback port, with its own configuration, one user
//! (`support`), plain login allowed on loopback, and Maildir storage in a temporary directory.
//! A small synchronous IMAP client puts messages in (`APPEND`) and counts them.

use std::{
    io::{BufRead, BufReader, Write},
    net::TcpStream,
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

pub const USER: &str = "support";
pub const PASSWORD: &str = "imap-test-password";

pub struct Dovecot {
    pub port: u16,
    child: Child,
    _dir: tempfile::TempDir,
}

/// The effective uid and gid of this process.
fn ids() -> (u32, u32) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(2))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("Uid:"), field("Gid:"))
}

/// The name of the user with `uid`, from /etc/passwd.
fn user_name(uid: u32) -> Option<String> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd
        .lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .find(|f| f.get(2) == Some(&uid.to_string().as_str()))?
        .first()
        .map(|n| (*n).to_owned())
}

/// The name of the group with `gid`, from /etc/group.
fn group_name(gid: u32) -> Option<String> {
    let groups = std::fs::read_to_string("/etc/group").ok()?;
    groups
        .lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .find(|f| f.get(2) == Some(&gid.to_string().as_str()))?
        .first()
        .map(|n| (*n).to_owned())
}

/// The uid and gid of a system user, from /etc/passwd.
fn user_ids(name: &str) -> Option<(u32, u32)> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    let line = passwd.lines().find(|l| l.split(':').next() == Some(name))?;
    let mut fields = line.split(':').skip(2);
    Some((fields.next()?.parse().ok()?, fields.next()?.parse().ok()?))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

impl Dovecot {
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("a directory for Dovecot");
        let root = dir.path();
        for sub in ["run", "state", "home"] {
            std::fs::create_dir_all(root.join(sub)).expect("create Dovecot's directories");
        }
        // Dovecot's own users read the configuration and the users file.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o755)).expect("open Dovecot's directory");
        let port = free_port();
        let (uid, gid) = ids();
        // As root Dovecot insists on its unprivileged users; otherwise it runs as we do.
        let (internal, group, login, mail_uid, mail_gid) = if uid == 0 {
            let (du, dg) = user_ids("dovecot").expect("the dovecot user (package dovecot-core)");
            std::os::unix::fs::chown(root.join("home"), Some(du), Some(dg)).expect("chown Dovecot's home");
            ("dovecot".to_owned(), "dovecot".to_owned(), "dovenull".to_owned(), du, dg)
        } else {
            let me = user_name(uid).expect("this process's user in /etc/passwd");
            (me.clone(), group_name(gid).expect("this process's group in /etc/group"), me, uid, gid)
        };
        std::fs::write(root.join("users"), format!("{USER}:{{PLAIN}}{PASSWORD}\n")).expect("write the users file");
        let r = root.display();
        let config = format!(
            "base_dir = {r}/run\nstate_dir = {r}/state\nlog_path = {r}/dovecot.log\nprotocols = imap\n\
listen = 127.0.0.1\nssl = no\ndisable_plaintext_auth = no\nauth_mechanisms = plain login\n\
default_internal_user = {internal}\ndefault_internal_group = {group}\ndefault_login_user = {login}\nfirst_valid_uid = 1\n\
passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {r}/users\n}}\n\
userdb {{\n  driver = static\n  args = uid={mail_uid} gid={mail_gid} home={r}/home/%u\n}}\n\
mail_location = maildir:~/Maildir\n\
service imap-login {{\n  inet_listener imap {{\n    address = 127.0.0.1\n    port = {port}\n  }}\n  inet_listener imaps {{\n    port = 0\n  }}\n  chroot =\n}}\n\
service anvil {{\n  chroot =\n}}\n\
service stats {{\n  unix_listener stats-reader {{\n    mode = 0666\n  }}\n  unix_listener stats-writer {{\n    mode = 0666\n  }}\n}}\n"
        );
        std::fs::write(root.join("dovecot.conf"), config).expect("write dovecot.conf");
        let child = Command::new("/usr/sbin/dovecot")
            .arg("-F")
            .arg("-c")
            .arg(root.join("dovecot.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Dovecot (package dovecot-imapd, installed by scripts/ensure-tools.sh)");
        let server = Self { port, child, _dir: dir };
        let deadline = Instant::now() + Duration::from_secs(15);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "Dovecot did not start: {}", server.log());
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    /// `imap://support:…@127.0.0.1:<port>/<folder>` (plain: loopback only).
    pub fn url(&self, folder: &str) -> String {
        format!("imap://{USER}:{PASSWORD}@127.0.0.1:{}/{folder}", self.port)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self._dir.path().join("dovecot.log")).unwrap_or_default()
    }

    fn session(&self) -> ImapClient {
        let mut client = ImapClient::connect(self.port);
        client.command(&format!("LOGIN {USER} {PASSWORD}"));
        client
    }

    /// Puts a message into `folder` (created if missing), as a mail server would deliver it.
    pub fn deliver(&self, folder: &str, raw: &[u8]) {
        let mut client = self.session();
        client.command_allowing_no(&format!("CREATE {folder}"));
        client.append(folder, raw);
    }

    /// How many messages `folder` holds (0 when it does not exist).
    pub fn count(&self, folder: &str) -> usize {
        let mut client = self.session();
        let lines = client.command_allowing_no(&format!("STATUS {folder} (MESSAGES)"));
        lines
            .iter()
            .find_map(|l| l.split("MESSAGES ").nth(1).and_then(|r| r.trim_end_matches([')', '\r', '\n']).parse().ok()))
            .unwrap_or(0)
    }

    /// Waits until `folder` holds `n` messages.
    pub async fn wait_for(&self, folder: &str, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let count = self.count(folder);
            if count >= n {
                return;
            }
            assert!(Instant::now() < deadline, "{folder} holds {count} of {n} messages");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Just enough IMAP to set up tests: tagged commands and APPEND with a literal.
struct ImapClient {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    tag: u32,
}

impl ImapClient {
    fn connect(port: u16) -> Self {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to Dovecot");
        stream.set_read_timeout(Some(Duration::from_secs(10))).expect("set a read timeout");
        let writer = stream.try_clone().expect("clone the stream");
        let mut client = Self { reader: BufReader::new(stream), writer, tag: 0 };
        client.line(); // the greeting
        client
    }

    fn line(&mut self) -> String {
        let mut line = String::new();
        self.reader.read_line(&mut line).expect("read from Dovecot");
        line
    }

    fn finish(&mut self, tag: &str) -> (Vec<String>, String) {
        let mut lines = Vec::new();
        loop {
            let line = self.line();
            assert!(!line.is_empty(), "Dovecot closed the connection");
            if line.starts_with(&format!("{tag} ")) {
                return (lines, line);
            }
            lines.push(line);
        }
    }

    fn command_allowing_no(&mut self, command: &str) -> Vec<String> {
        self.tag += 1;
        let tag = format!("t{}", self.tag);
        write!(self.writer, "{tag} {command}\r\n").expect("write to Dovecot");
        self.finish(&tag).0
    }

    fn command(&mut self, command: &str) -> Vec<String> {
        self.tag += 1;
        let tag = format!("t{}", self.tag);
        write!(self.writer, "{tag} {command}\r\n").expect("write to Dovecot");
        let (lines, done) = self.finish(&tag);
        assert!(done.contains(" OK"), "{command}: {done}");
        lines
    }

    fn append(&mut self, folder: &str, raw: &[u8]) {
        self.tag += 1;
        let tag = format!("t{}", self.tag);
        write!(self.writer, "{tag} APPEND {folder} {{{}}}\r\n", raw.len()).expect("write to Dovecot");
        let go = self.line();
        assert!(go.starts_with('+'), "APPEND: {go}");
        self.writer.write_all(raw).expect("write the message");
        self.writer.write_all(b"\r\n").expect("end the literal");
        let (_, done) = self.finish(&tag);
        assert!(done.contains(" OK"), "APPEND: {done}");
    }
}

/// A fixture message from `tests/fixtures/mail/`.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = crate::paths::root().join("tests/fixtures/mail").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", Path::new(&path).display()))
}
