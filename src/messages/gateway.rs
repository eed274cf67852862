//! The gateways a message goes out through: an SMS gateway (the generic JSON webhook, or
//! 46elks' documented HTTP API) and an e-mail webhook. Errors say what happened (an HTTP
//! status, the kind of network error), never the URL, the number or the text.

use std::time::Duration;

use crate::config::{MessageSettings, SmsGateway};
use crate::error::AppResult;

use super::Channel;

/// Where each channel's messages go, from `[messages]`.
#[derive(Debug, Clone)]
pub struct Gateways {
    pub sms: Option<Sms>,
    pub email: Option<String>,
    /// Delivery reports come back to `{public_url}/api/v1/messages/delivery/{key}`.
    pub public_url: String,
    pub max_attempts: i32,
    pub timeout: Duration,
}

#[derive(Debug, Clone)]
pub struct Sms {
    pub kind: SmsGateway,
    pub url: String,
    pub user: String,
    pub password: String,
    pub from: String,
}

impl Gateways {
    pub fn of(s: &MessageSettings, public_url: &str) -> Self {
        Self {
            sms: s.sms_configured().then(|| Sms {
                kind: s.gateway(),
                url: s.sms_url.clone(),
                user: s.sms_user.trim().to_string(),
                password: s.sms_password.clone(),
                from: s.sms_from.trim().to_string(),
            }),
            email: s.email_configured().then(|| s.email_webhook.clone()),
            public_url: public_url.trim_end_matches('/').to_string(),
            max_attempts: i32::try_from(s.max_attempts).unwrap_or(6),
            timeout: Duration::from_secs(10),
        }
    }

    /// From the settings in force.
    pub fn from_settings(s: &crate::config::Settings) -> Self {
        Self::of(&s.messages, &s.public_url)
    }

    pub fn configured(&self, channel: Channel) -> bool {
        match channel {
            Channel::Sms => self.sms.is_some(),
            Channel::Email => self.email.is_some(),
        }
    }

    pub fn report_url(&self, delivery_key: &str) -> String {
        format!("{}/api/v1/messages/delivery/{delivery_key}", self.public_url)
    }
}

/// One message to hand over.
pub struct Outgoing<'a> {
    pub idempotency_key: &'a str,
    pub message_id: &'a str,
    pub template: &'a str,
    pub channel: Channel,
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub report_url: String,
}

/// Hands a message to its channel's gateway: `Ok` with the gateway's id for it (46elks), or
/// why not.
pub async fn send(client: &reqwest::Client, gw: &Gateways, m: &Outgoing<'_>) -> Result<Option<String>, String> {
    match m.channel {
        Channel::Sms => match &gw.sms {
            None => Err("no SMS gateway is configured".into()),
            Some(sms) if sms.kind == SmsGateway::Elks => elks(client, sms, m).await.map(Some),
            Some(sms) => webhook(client, &sms.url, m).await.map(|_| None),
        },
        Channel::Email => match &gw.email {
            None => Err("no e-mail webhook is configured".into()),
            Some(url) => webhook(client, url, m).await.map(|_| None),
        },
    }
}

/// The JSON webhook: the message, its recipient's address and where to report delivery,
/// with its `Idempotency-Key`.
async fn webhook(client: &reqwest::Client, url: &str, m: &Outgoing<'_>) -> Result<(), String> {
    let body = serde_json::json!({
        "event": "message",
        "message_id": m.message_id,
        "template": m.template,
        "channel": m.channel,
        "to": m.to,
        "subject": m.subject,
        "text": m.text,
        "whendelivered": m.report_url,
    });
    crate::webhook::post(client, url, m.idempotency_key, body.to_string()).await
}

/// 46elks: `POST /a1/sms`, form-encoded `from`, `to`, `message`, `whendelivered`, HTTP
/// basic auth; the answer is the SMS as JSON with its `id`.
async fn elks(client: &reqwest::Client, sms: &Sms, m: &Outgoing<'_>) -> Result<String, String> {
    let form = [("from", sms.from.as_str()), ("to", m.to), ("message", m.text), ("whendelivered", &m.report_url)];
    let res = client
        .post(&sms.url)
        .basic_auth(&sms.user, Some(&sms.password))
        .form(&form)
        .send()
        .await
        .map_err(|e| e.without_url().to_string())?;
    let status = res.status();
    if !status.is_success() {
        return Err(format!("HTTP {}", status.as_u16()));
    }
    let answer: serde_json::Value =
        res.json().await.map_err(|_| "46elks answered with something that is not the SMS as JSON".to_string())?;
    if answer["status"] == "failed" {
        return Err("46elks could not send the SMS".into());
    }
    answer["id"].as_str().map(str::to_string).ok_or_else(|| "46elks answered without the SMS id".to_string())
}

/// The HTTP client messages go out with (no redirects followed).
pub fn client(gw: &Gateways) -> AppResult<reqwest::Client> {
    crate::webhook::client(gw.timeout)
}
