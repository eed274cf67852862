//! `platsa serve`: migrate, open or rebuild the index, listen; `--demo` seeds an empty database.

use crate::config::Settings;
use crate::startup;

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on, overriding `listen` / PLATSA_LISTEN.
    #[arg(long)]
    listen: Option<String>,
    /// Seed a demo municipality into an empty database and print tokens to sign in with
    /// (a database with data is left untouched).
    #[arg(long)]
    demo: bool,
}

pub async fn run(Args { listen, demo }: Args, mut settings: Settings) -> anyhow::Result<()> {
    if let Some(listen) = listen {
        settings.listen = listen
            .parse()
            .map_err(|_| anyhow::anyhow!("--listen: `{listen}` is not an address like 127.0.0.1:8080"))?;
    }
    tracing::info!(settings = ?settings, "starting");
    let state = actix_web::web::Data::new(startup::AppState::open(settings).await?);
    if demo {
        seed_demo(&state).await?;
    }
    let application = startup::Application::with_state(state)?;
    println!("platsa listening on http://{}", application.address());
    application.run_until_stopped().await?;
    tracing::info!("stopped");
    Ok(())
}

async fn seed_demo(state: &startup::AppState) -> anyhow::Result<()> {
    use crate::demo::municipality;
    let (now, today) = (state.clock.now_ts(), state.clock.today());
    let settings = state.settings.booking.clone();
    let pool = state.pool.clone();
    let seeded = crate::db::run(&pool, move |c| {
        if !municipality::is_empty(c)? {
            return Ok(None);
        }
        municipality::seed(c, now, today, &settings).map(Some)
    })
    .await
    .map_err(|e| anyhow::anyhow!("seeding the demo: {e}"))?;
    match seeded {
        None => {
            println!("demo: the database already has data; left as it is");
            println!(
                "demo: the tokens were printed at the first start; for a new one: \
                 platsa token create --role broker --name \"Ditt namn\" (roles: admin, broker, manager, officer)"
            );
        }
        Some(t) => {
            println!(
                "demo: seeded Trelleborg (employers, openings, 320 seekers, officers, a year of placements and targets)"
            );
            println!("demo: admin token   {}", t.admin);
            println!("demo: broker token  {}", t.broker);
            println!("demo: manager token {}", t.manager);
            println!("demo: officer token {}", t.officer);
            // Once the index holds the seeded people: the broker's first look at each opening.
            let head = crate::db::run(&pool, |c| Ok(crate::db::outbox::head(c)?))
                .await
                .map_err(|e| anyhow::anyhow!("reading the outbox: {e}"))?;
            let started = std::time::Instant::now();
            while state.search.position() < head && started.elapsed() < std::time::Duration::from_secs(120) {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            let (search, weights, broker) = (state.search.clone(), state.settings.matching, t.broker_user);
            let lists = crate::db::run(&pool, move |c| {
                // Yesterday: the day the daily exposure measurement reads from.
                let at = crate::index::Lookup { index: &search, weights: &weights, now: now - 86_400 };
                municipality::look_at_candidates(c, at, &broker)
            })
            .await
            .map_err(|e| anyhow::anyhow!("serving the demo's candidate lists: {e}"))?;
            println!("demo: the broker has looked at the candidates of {lists} open openings (the ranking log)");
        }
    }
    Ok(())
}
