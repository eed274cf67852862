//! `platsa token create`: a user with a token, printed once as the last line.

use clap::Subcommand;

use crate::auth;
use crate::config::Settings;
use crate::state::Storage;

#[derive(Subcommand)]
pub enum Command {
    /// Create a user with a token; the token is printed once, as the last line.
    Create {
        #[arg(long)]
        role: String,
        #[arg(long)]
        name: String,
        /// The employer an `employer` token is bound to.
        #[arg(long = "employer")]
        employer: Option<String>,
        /// A unit the user works in (repeat for several): other units' people then need a
        /// stated reason (need-to-know).
        #[arg(long = "unit")]
        units: Vec<String>,
        /// The user's e-mail address (an import's broker column may name a broker by it).
        #[arg(long)]
        email: Option<String>,
    },
}

pub async fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    let Command::Create { role, name, employer, units, email } = command;
    let role = auth::Role::parse(&role).ok_or_else(|| {
        let roles: Vec<&str> = auth::Role::ALL.iter().map(|r| r.as_str()).collect();
        anyhow::anyhow!("--role: `{role}` is not one of {}", roles.join(", "))
    })?;
    if (role == auth::Role::Employer) != employer.is_some() {
        anyhow::bail!("--employer is required for the employer role and only for it");
    }
    let storage = Storage::open(&settings).await?;
    let now = storage.clock.now_ts();
    let issued = tokio::task::spawn_blocking(move || {
        let mut conn = storage.pool.get()?;
        let issued =
            auth::store::create_user_with_token(&mut conn, now, role, &name, employer.as_deref(), email.as_deref())
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        if !units.is_empty() {
            crate::units::set_for_user(&mut conn, &issued.user_id, &units)
                .map_err(|e| anyhow::anyhow!("--unit: {e}"))?;
        }
        anyhow::Ok(issued)
    })
    .await??;
    println!("token id: {}", issued.id);
    println!("user id:  {}", issued.user_id);
    println!("role:     {}", issued.role);
    println!("{}", issued.token);
    Ok(())
}
