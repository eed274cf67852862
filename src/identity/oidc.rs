//! The OpenID Connect relying party: discovery, the authorization request (code flow with
//! PKCE S256, `state` and `nonce`), and the answer: the code exchanged with the client secret,
//! the ID token checked against the provider's keys (signature), issuer, audience, expiry
//! (with a minute's leeway) and nonce, by the `openidconnect` crate. Nothing here stores
//! anything; `store` keeps the sign-ins under way.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use base64::Engine;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreClientAuthMethod};
use openidconnect::{
    AuthType, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, ProviderMetadataWithLogout, RedirectUrl, RequestTokenError, Scope, TokenResponse,
};

use crate::config::OidcClient;

/// Why a provider's answer gave no sign-in. Logged by kind only; the page says it in Swedish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The provider could not be reached or described itself wrongly (discovery).
    Unavailable,
    /// The answer's `state` names no sign-in under way from this browser: forged, replayed,
    /// or older than ten minutes.
    UnknownState,
    /// The provider answered with an error (the person cancelled, or was refused there).
    ProviderError,
    /// The code was not accepted at the token endpoint (replayed, expired, wrong verifier).
    CodeRejected,
    /// The ID token failed a check: signature, issuer, audience, expiry or nonce.
    InvalidToken,
    /// Signed in, but none of the person's groups maps to a role in Platsa.
    NoRole,
    /// The e-legitimation carried no valid personnummer.
    NoPersonnummer,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Refusal {
    pub const ALL: &'static [Refusal] = &[
        Self::Unavailable,
        Self::UnknownState,
        Self::ProviderError,
        Self::CodeRejected,
        Self::InvalidToken,
        Self::NoRole,
        Self::NoPersonnummer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unavailable => "provider_unavailable",
            Self::UnknownState => "unknown_state",
            Self::ProviderError => "provider_error",
            Self::CodeRejected => "code_rejected",
            Self::InvalidToken => "invalid_token",
            Self::NoRole => "no_role",
            Self::NoPersonnummer => "no_personnummer",
        }
    }
}

/// Where the provider is asked to send the person, and what must be kept to check its answer.
pub struct Started {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// A verified ID token's issuer, subject and every claim it carries.
#[derive(Debug)]
pub struct Verified {
    pub issuer: String,
    pub subject: String,
    pub claims: serde_json::Map<String, serde_json::Value>,
    /// The provider's sign-out address, if it has one.
    pub end_session: Option<String>,
}

impl Verified {
    /// A claim's string values: a string claim is one value, a list its strings.
    pub fn strings(&self, claim: &str) -> Vec<String> {
        match self.claims.get(claim) {
            Some(serde_json::Value::String(s)) => vec![s.clone()],
            Some(serde_json::Value::Array(items)) => {
                items.iter().filter_map(|v| v.as_str()).map(str::to_string).collect()
            }
            _ => vec![],
        }
    }

    pub fn string(&self, claim: &str) -> Option<String> {
        self.claims.get(claim).and_then(|v| v.as_str()).map(str::to_string)
    }
}

/// Discovery documents are kept this long, so a provider's new signing key is picked up
/// within minutes without fetching the document at every sign-in.
const DISCOVERY_TTL: Duration = Duration::from_secs(300);

type Cache = Mutex<HashMap<String, (Instant, Arc<ProviderMetadataWithLogout>)>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// The client every call to a provider goes through. Redirects are never followed (a
/// provider's token endpoint that redirects is an error, not a new destination for the
/// client secret).
fn http() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .expect("an HTTP client without special settings builds")
    })
}

async fn metadata(client: &OidcClient) -> Result<Arc<ProviderMetadataWithLogout>, Refusal> {
    if let Some((at, meta)) = cache().lock().expect("not poisoned").get(&client.issuer)
        && at.elapsed() < DISCOVERY_TTL
    {
        return Ok(meta.clone());
    }
    let issuer = IssuerUrl::new(client.issuer.clone()).map_err(|_| Refusal::Unavailable)?;
    let meta = ProviderMetadataWithLogout::discover_async(issuer, http()).await.map_err(|e| {
        tracing::warn!(problem = %e, "OpenID provider discovery failed");
        Refusal::Unavailable
    })?;
    let meta = Arc::new(meta);
    cache().lock().expect("not poisoned").insert(client.issuer.clone(), (Instant::now(), meta.clone()));
    Ok(meta)
}

fn core_client(
    client: &OidcClient,
    meta: &ProviderMetadataWithLogout,
    redirect: &str,
) -> Result<
    CoreClient<
        openidconnect::EndpointSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointMaybeSet,
        openidconnect::EndpointMaybeSet,
    >,
    Refusal,
> {
    let secret = Some(client.client_secret.clone()).filter(|s| !s.is_empty()).map(ClientSecret::new);
    let redirect = RedirectUrl::new(redirect.to_string()).map_err(|_| Refusal::Unavailable)?;
    // client_secret_basic unless the provider only takes the secret in the body.
    let methods = meta.token_endpoint_auth_methods_supported();
    let post_only = methods.is_some_and(|m| {
        m.contains(&CoreClientAuthMethod::ClientSecretPost) && !m.contains(&CoreClientAuthMethod::ClientSecretBasic)
    });
    let core = CoreClient::from_provider_metadata(meta.clone(), ClientId::new(client.client_id.clone()), secret)
        .set_redirect_uri(redirect);
    Ok(if post_only { core.set_auth_type(AuthType::RequestBody) } else { core })
}

/// The authorization request: where to send the person, and what to keep until they return.
pub async fn start(client: &OidcClient, redirect: &str, scopes: &[&str]) -> Result<Started, Refusal> {
    let meta = metadata(client).await?;
    let core = core_client(client, &meta, redirect)?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = core
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .set_pkce_challenge(challenge);
    for s in scopes {
        request = request.add_scope(Scope::new(s.to_string()));
    }
    let (url, state, nonce) = request.url();
    Ok(Started {
        url: url.to_string(),
        state: state.secret().clone(),
        nonce: nonce.secret().clone(),
        pkce_verifier: verifier.secret().clone(),
    })
}

/// The provider's answer: the code exchanged and the ID token verified.
pub async fn finish(
    client: &OidcClient,
    redirect: &str,
    code: &str,
    nonce: &str,
    pkce_verifier: &str,
) -> Result<Verified, Refusal> {
    let meta = metadata(client).await?;
    let core = core_client(client, &meta, redirect)?;
    let token = core
        .exchange_code(AuthorizationCode::new(code.to_string()))
        .map_err(|_| Refusal::Unavailable)?
        .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_string()))
        .request_async(http())
        .await
        .map_err(|e| {
            // The kind only: an unreadable answer's body may hold tokens.
            let problem = match &e {
                RequestTokenError::ServerResponse(r) => format!("the provider answered {}", r.error().as_ref()),
                RequestTokenError::Request(r) => format!("request failed: {}", error_chain(r)),
                RequestTokenError::Parse(..) => "the provider's answer could not be read".into(),
                RequestTokenError::Other(o) => o.clone(),
            };
            tracing::info!(%problem, "OpenID code exchange refused");
            Refusal::CodeRejected
        })?;
    let id_token = token.id_token().ok_or(Refusal::InvalidToken)?;
    // The provider's clock, not Platsa's (which a demo may fix): expiry is judged against
    // the real time, a minute late so a small skew between the machines is no refusal.
    let verifier = core.id_token_verifier().set_time_fn(|| chrono::Utc::now() - chrono::Duration::seconds(60));
    let checked = id_token.claims(&verifier, &Nonce::new(nonce.to_string())).map_err(|e| {
        tracing::info!(problem = %e, "ID token refused");
        Refusal::InvalidToken
    })?;
    let issuer = checked.issuer().to_string();
    let subject = checked.subject().to_string();
    // The payload of the token just verified, for the claims the core types do not name
    // (groups, the personnummer).
    let raw = id_token.to_string();
    let payload = raw.split('.').nth(1).ok_or(Refusal::InvalidToken)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).map_err(|_| Refusal::InvalidToken)?;
    let claims: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&bytes).map_err(|_| Refusal::InvalidToken)?;
    let end_session = meta.additional_metadata().end_session_endpoint.as_ref().map(|u| u.url().to_string());
    Ok(Verified { issuer, subject, claims, end_session })
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        text.push_str(": ");
        text.push_str(&s.to_string());
        cur = s.source();
    }
    text
}

/// Where to send a person signing out of Platsa so the provider's session ends too.
pub async fn end_session_url(client: &OidcClient, after: &str) -> Option<String> {
    let meta = metadata(client).await.ok()?;
    let end = meta.additional_metadata().end_session_endpoint.as_ref()?;
    let mut url = end.url().clone();
    url.query_pairs_mut().append_pair("client_id", &client.client_id).append_pair("post_logout_redirect_uri", after);
    Some(url.to_string())
}

// What the person is told, in Swedish, when a sign-in gives no session.
impl crate::labels::Label for Refusal {
    fn label(self) -> &'static str {
        match self {
            Refusal::Unavailable => {
                "Inloggningstjänsten svarar inte just nu. Försök igen om en stund, eller kontakta kommunens IT-support."
            }
            Refusal::UnknownState => {
                "Inloggningen hann gå ut eller startades inte i den här webbläsaren. Börja om från inloggningssidan."
            }
            Refusal::ProviderError => "Inloggningen avbröts eller nekades hos inloggningstjänsten.",
            Refusal::CodeRejected => "Inloggningstjänsten godkände inte inloggningen. Börja om från inloggningssidan.",
            Refusal::InvalidToken => {
                "Svaret från inloggningstjänsten kunde inte kontrolleras, så ingen inloggning gjordes. Börja om, och kontakta IT-supporten om det händer igen."
            }
            Refusal::NoRole => {
                "Du har inte behörighet till Platsa. Behörighet ges genom grupperna i kommunens katalog; kontakta din chef eller IT-supporten."
            }
            Refusal::NoPersonnummer => {
                "E-legitimationen gav inget giltigt personnummer. Försök igen, eller ansök utan e-legitimation om det går."
            }
        }
    }
}
