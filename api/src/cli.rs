//! The `helpdesk` command line: `serve`, `migrate`, `openapi`, `create-admin`, `seed`,
//! `ingest-email`.

use std::{
    io::{IsTerminal, Read, Write},
    net::TcpListener,
    process::ExitCode,
};

use anyhow::Context;
use clap::{Parser, Subcommand};
use diesel::{Connection, PgConnection};

use crate::{
    accounts::admin_cli::{self, CreateAdmin, CreateAdminError},
    app,
    auth::password,
    config::{Config, ProcessEnv},
    db,
    email::transport::Mailer,
    jobs,
    state::AppState,
    telemetry,
};

/// Helpdesk: a self-hosted support-ticket system. Configuration comes from the environment
/// (see docs/operations.md).
#[derive(Debug, Parser)]
#[command(name = "helpdesk", version)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Apply pending migrations, then serve the API, the web UI and the background workers.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document (JSON) to stdout.
    Openapi,
    /// Create an administrator. The password is read from stdin when stdin is not a terminal,
    /// otherwise generated and printed once.
    CreateAdmin {
        #[arg(long)]
        email: String,
        /// Full name.
        #[arg(long)]
        name: String,
        /// Defaults to the local part of the email.
        #[arg(long)]
        username: Option<String>,
        /// Do nothing (exit 0) if an active admin already exists.
        #[arg(long)]
        if_none: bool,
    },
    /// Set a new password for an account (a lost admin password): read from stdin when stdin is
    /// not a terminal, otherwise generated and printed once. Ends the account's sessions, voids
    /// its reset links and tells the owner by email, as any password change does.
    ResetPassword {
        /// The account's username or email address.
        #[arg(long)]
        login: String,
    },
    /// Fill the database with realistic demo data (organizations, customers, agents, tickets,
    /// comments). Every seeded account has the password `demo-password-2026`.
    Seed {
        /// How many tickets to create.
        #[arg(long, default_value_t = 1000)]
        tickets: i64,
    },
    /// Read one RFC 5322 message from stdin and turn it into a ticket or a reply, for an MTA
    /// alias (`support: "|/usr/local/bin/helpdesk ingest-email"`). Exit codes: 0 stored (or
    /// deliberately ignored), 65 (`EX_DATAERR`) not a mail message, 75 (`EX_TEMPFAIL`) the
    /// database or file store is unreachable, so the MTA retries.
    IngestEmail {
        /// The category new tickets get (by name).
        #[arg(long)]
        category: Option<String>,
    },
}

/// sysexits.h: the input was not a mail message.
const EX_DATAERR: u8 = 65;
/// sysexits.h: try again later.
const EX_TEMPFAIL: u8 = 75;
/// The largest message `ingest-email` reads.
const MAX_MESSAGE_BYTES: u64 = 64 * 1024 * 1024;

/// Exit codes: 0 success, 1 failure, 2 configuration error.
pub fn run(cli: Cli) -> ExitCode {
    if let Command::Openapi = cli.command {
        return print_openapi();
    }
    let config = match Config::from_env(&ProcessEnv) {
        Ok(config) => config,
        Err(err) => {
            eprintln!("{err}");
            return ExitCode::from(2);
        }
    };
    if let Some(dir) = &config.log_dir
        && let Err(err) = crate::request_logs::prepare(dir)
    {
        eprintln!("configuration error: HELPDESK_LOG_DIR cannot be created ({err})");
        return ExitCode::from(2);
    }
    telemetry::init(config.log_format, config.log_dir.as_deref());
    if let Command::IngestEmail { category } = &cli.command {
        return ingest_email(config, category.as_deref());
    }
    let result = match cli.command {
        Command::Serve => serve(config),
        Command::Migrate => migrate(&config),
        Command::CreateAdmin { email, name, username, if_none } => {
            create_admin(&config, &email, &name, username.as_deref(), if_none)
        }
        Command::ResetPassword { login } => reset_password(&config, &login),
        Command::Seed { tickets } => seed(&config, tickets),
        Command::Openapi | Command::IngestEmail { .. } => unreachable_openapi(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn unreachable_openapi() -> anyhow::Result<()> {
    Err(anyhow::anyhow!("openapi and ingest-email are handled before the other commands"))
}

/// `helpdesk ingest-email`: one message from stdin (see [`crate::inbound`]).
fn ingest_email(config: Config, category: Option<&str>) -> ExitCode {
    let mut raw = Vec::new();
    if let Err(err) = std::io::stdin().take(MAX_MESSAGE_BYTES).read_to_end(&mut raw) {
        eprintln!("error: cannot read the message from stdin: {err}");
        return ExitCode::from(EX_TEMPFAIL);
    }
    let pool = match db::pool(config.database_url.expose(), 2) {
        Ok(pool) => pool,
        Err(err) => {
            eprintln!("error: {err:#}");
            return ExitCode::from(EX_TEMPFAIL);
        }
    };
    let storage = match crate::storage::Storage::open(&config.storage) {
        Ok(storage) => storage,
        Err(err) => {
            eprintln!("error: {err:#}");
            return ExitCode::from(EX_TEMPFAIL);
        }
    };
    let inbox = crate::inbound::Inbox::new(pool, storage, std::sync::Arc::new(config));
    let result = actix_web::rt::System::new().block_on(async move { inbox.ingest(&raw, "pipe", category).await });
    match result {
        Ok(outcome) => {
            tracing::info!(outcome = ?outcome, "inbound mail processed");
            ExitCode::SUCCESS
        }
        Err(crate::inbound::IngestError::Unparseable) => {
            eprintln!("error: stdin is not a mail message");
            ExitCode::from(EX_DATAERR)
        }
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(EX_TEMPFAIL)
        }
    }
}

fn print_openapi() -> ExitCode {
    let printed = app::openapi()
        .to_pretty_json()
        .map_err(anyhow::Error::from)
        .and_then(|json| Ok(writeln!(std::io::stdout(), "{json}")?));
    match printed {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn connect(config: &Config) -> anyhow::Result<PgConnection> {
    PgConnection::establish(config.database_url.expose()).context("cannot connect to the database (DATABASE_URL)")
}

fn migrate(config: &Config) -> anyhow::Result<()> {
    let applied = db::migrate(&mut connect(config)?)?;
    tracing::info!(count = applied.len(), versions = ?applied, "migrations applied");
    Ok(())
}

fn serve(config: Config) -> anyhow::Result<()> {
    if config.environment == crate::config::Environment::Production && config.captcha.secret.is_none() {
        tracing::warn!(
            "HELPDESK_HCAPTCHA_SECRET is not set: after repeated failed sign-ins the guessing address is only slowed down, never asked for a captcha"
        );
    }
    if config.jwt_secret_generated {
        tracing::warn!("HELPDESK_JWT_SECRET is not set: using a random secret, sessions end when the server restarts");
    }
    migrate(&config)?;
    if config.metrics_token.is_some() {
        crate::metrics::install()?;
    }
    let pool = db::pool(config.database_url.expose(), config.db_pool_size)?;
    let listener = TcpListener::bind(config.bind).with_context(|| format!("cannot listen on {}", config.bind))?;
    let address = listener.local_addr()?;
    // The first line on stdout tells scripts and tests where we listen (the port may be 0 = any).
    writeln!(std::io::stdout(), "helpdesk listening on http://{address}")?;
    tracing::info!(%address, public_url = %config.public_url, "serving");
    let mailer = Mailer::from_config(&config)?;
    let database_url = config.database_url.expose().to_owned();
    let database_url_for_imap = database_url.clone();
    let state = actix_web::web::Data::new(AppState::new(pool, config)?);
    state.hub.listen(database_url, std::sync::Arc::clone(&state.sessions));
    actix_web::rt::System::new().block_on(async move {
        let background = jobs::spawn(&state, mailer);
        let inbox = crate::inbound::Inbox::new(state.pool.clone(), state.storage.clone(), state.config.clone());
        crate::inbound::imap::spawn(inbox, database_url_for_imap);
        let server = app::server(listener, state.clone())?;
        actix_web::rt::spawn(stop_on_signal(server.handle(), state));
        server.await?;
        background.stop().await;
        tracing::info!("server stopped");
        anyhow::Ok(())
    })
}

/// On SIGTERM or SIGINT: readiness fails for `HELPDESK_SHUTDOWN_DRAIN_SECONDS` while requests
/// are still served (a load balancer takes the instance out), then the server stops accepting
/// and finishes the requests in flight.
async fn stop_on_signal(server: actix_web::dev::ServerHandle, state: actix_web::web::Data<AppState>) {
    use tokio::signal::unix::{SignalKind, signal};
    let Ok(mut term) = signal(SignalKind::terminate()) else {
        tracing::warn!("cannot listen for SIGTERM");
        return;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    let drain = state.config.shutdown_drain;
    tracing::info!(drain_s = drain.as_secs(), "stopping: draining, then finishing the requests in flight");
    state.draining.store(true, std::sync::atomic::Ordering::SeqCst);
    tokio::time::sleep(drain).await;
    server.stop(true).await;
}

fn seed(config: &Config, tickets: i64) -> anyhow::Result<()> {
    // Seeded agents share a published password: never in production.
    anyhow::ensure!(
        config.environment != crate::config::Environment::Production,
        "seed refuses HELPDESK_ENV=production: its demo accounts share a published password"
    );
    anyhow::ensure!(tickets >= 0, "--tickets must not be negative");
    let mut conn = connect(config)?;
    db::migrate(&mut conn)?;
    let created = crate::seed::seed(&mut conn, tickets, config.bcrypt_cost)?;
    writeln!(
        std::io::stdout(),
        "Seeded {created} tickets; demo accounts use the password {}",
        crate::seed::DEMO_PASSWORD
    )?;
    Ok(())
}

/// The password of `create-admin` and `reset-password`: stdin when it is not a terminal (the
/// flag, whether it was generated).
fn password_from_stdin() -> anyhow::Result<(String, bool)> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Ok((password::generate(), true));
    }
    let mut input = String::new();
    stdin.lock().read_to_string(&mut input).context("cannot read the password from stdin")?;
    Ok((input.trim_end_matches(['\r', '\n']).to_owned(), false))
}

fn reset_password(config: &Config, login: &str) -> anyhow::Result<()> {
    let mut conn = connect(config)?;
    db::migrate(&mut conn)?;
    let (new_password, generated) = password_from_stdin()?;
    if let Some(problem) = helpdesk_types::validation::password_problem(&new_password) {
        anyhow::bail!("invalid password: {problem}");
    }
    let user = crate::accounts::repo::find_by_login(&mut conn, login.trim())?
        .ok_or_else(|| anyhow::anyhow!("no account has the username or email {login}"))?;
    let hash = password::hash(&new_password, config.bcrypt_cost)?;
    conn.transaction(|conn| {
        crate::auth::credentials::replace_password(
            conn,
            &user,
            &hash,
            None,
            "password reset by an operator",
            &config.public_url,
        )
    })
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut out = std::io::stdout();
    writeln!(out, "New password set for {} ({})", user.username, user.email)?;
    if generated {
        writeln!(out, "Password (shown once): {new_password}")?;
    }
    Ok(())
}

fn create_admin(config: &Config, email: &str, name: &str, username: Option<&str>, if_none: bool) -> anyhow::Result<()> {
    let mut conn = connect(config)?;
    db::migrate(&mut conn)?;
    if if_none && admin_cli::admin_exists(&mut conn)? {
        tracing::info!("an admin already exists; nothing to do");
        return Ok(());
    }
    let (password, generated) = password_from_stdin()?;
    let input = CreateAdmin { email, full_name: name, username, password: &password, bcrypt_cost: config.bcrypt_cost };
    let user = admin_cli::create_admin(&mut conn, &input).map_err(|e| match e {
        CreateAdminError::Other(e) => e,
        other => anyhow::Error::new(other),
    })?;
    let mut out = std::io::stdout();
    writeln!(out, "Created admin {} <{}> with username {}", user.full_name, user.email, user.username)?;
    if generated {
        writeln!(out, "Password (shown once): {password}")?;
    }
    Ok(())
}
