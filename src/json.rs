//! JSON helpers shared by the HTTP edge and the stores: parsing with the failing field's path,
//! and RFC 7396 merge patch (a PATCH is applied to the stored record, then validated whole).

use serde::de::DeserializeOwned;

use crate::error::{AppError, AppResult, Fault};

/// Deserializes with the failing field's path: syntax → 400, shape → 422 naming the field.
/// A string holding a control character (other than new line and tab) or a bidirectional
/// override is refused first, naming its field: PostgreSQL cannot store NUL, and overrides
/// disguise names.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> AppResult<T> {
    // The walk needs a parsed tree; only bodies that can hold such a character pay for it.
    if may_hold_forbidden(bytes) {
        let value = serde_json::from_slice::<serde_json::Value>(bytes).unwrap_or_default();
        if let Some(field) = forbidden_in(&value, "") {
            return Err(AppError::field(
                field,
                Fault::Character,
                "must not contain control characters or bidirectional overrides",
            ));
        }
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = strip_position(&inner.to_string());
        match inner.classify() {
            serde_json::error::Category::Data => {
                // A missing field is reported at its parent; name the field itself.
                let missing = message.strip_prefix("missing field `").and_then(|m| m.split('`').next());
                let field = match missing {
                    Some(missing) if path == "." => missing.to_string(),
                    Some(missing) => format!("{path}.{missing}"),
                    None if path == "." => "body".to_string(),
                    None => path,
                };
                let fault = if missing.is_some() {
                    Fault::Required
                } else if message.starts_with("unknown field") {
                    Fault::UnknownField
                } else if message.starts_with("invalid type") {
                    Fault::Type
                } else {
                    // serde's own words for a bad value: an unknown variant, a bad date…
                    Fault::Unknown
                };
                AppError::field(field, fault, message)
            }
            _ => AppError::BadRequest { field: None, detail: format!("malformed JSON: {message}") },
        }
    })
}

/// Whether raw JSON can hold a character [`crate::text::forbidden_char`] refuses: C0 controls
/// can only arrive escaped (`\u0000`; raw ones are a syntax error), DEL, C1 controls
/// (UTF-8 `C2 80`–`C2 9F`) and the bidi overrides (`E2 80 AA`–`AE`, `E2 81 A6`–`A9`) raw.
fn may_hold_forbidden(bytes: &[u8]) -> bool {
    bytes.windows(2).any(|w| w == b"\\u" || (w[0] == 0xC2 && (0x80..=0x9F).contains(&w[1])))
        || bytes.contains(&0x7F)
        || bytes.windows(3).any(|w| {
            w[0] == 0xE2
                && ((w[1] == 0x80 && (0xAA..=0xAE).contains(&w[2])) || (w[1] == 0x81 && (0xA6..=0xA9).contains(&w[2])))
        })
}

/// The path of the first string (or key) with a forbidden character.
fn forbidden_in(v: &serde_json::Value, path: &str) -> Option<String> {
    use serde_json::Value;
    let bad = |s: &str| crate::text::forbidden_char(s, true).is_some();
    let join = |key: &str| if path.is_empty() { key.to_string() } else { format!("{path}.{key}") };
    match v {
        Value::String(s) if bad(s) => Some(if path.is_empty() { "body".into() } else { path.to_string() }),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, x)| forbidden_in(x, &format!("{path}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(k, x)| {
            if bad(k) {
                Some(if path.is_empty() { "body".into() } else { path.to_string() })
            } else {
                forbidden_in(x, &join(k))
            }
        }),
        _ => None,
    }
}

fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// RFC 7396 JSON merge patch (objects merge, `null` removes, anything else replaces), applied
/// so that nothing the patch names is lost: removing a member the target does not hold leaves
/// it as an explicit `null`, so the merged input's own deserialisation refuses a member it
/// does not know (`{"nmae": null}` is a mistake to answer, not a no-op) and reads a known
/// optional one as absent.
pub fn merge_patch(target: &mut serde_json::Value, patch: &serde_json::Value) {
    use serde_json::Value;
    match patch {
        Value::Object(p) => {
            if !target.is_object() {
                *target = Value::Object(Default::default());
            }
            let t = target.as_object_mut().expect("made an object");
            for (k, v) in p {
                if v.is_null() {
                    if t.remove(k).is_none() {
                        t.insert(k.clone(), Value::Null);
                    }
                } else {
                    merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        other => *target = other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_patch_removing_an_unknown_member_leaves_it_for_the_input_to_refuse() {
        let mut target = serde_json::json!({"name": "Anna", "role": "HR"});
        merge_patch(&mut target, &serde_json::json!({"role": null, "nmae": null, "phone": "070"}));
        assert_eq!(target, serde_json::json!({"name": "Anna", "nmae": null, "phone": "070"}));
    }

    /// Every forbidden character reaches the walk, escaped or raw; plain text skips it.
    #[test]
    fn bodies_with_forbidden_characters_are_walked_and_refused() {
        for body in [
            r#"{"a": "x\u0000y"}"#.to_string(),
            "{\"a\": \"x\u{7f}y\"}".to_string(),
            "{\"a\": \"x\u{85}y\"}".to_string(),
            "{\"a\": \"x\u{202E}y\"}".to_string(),
            "{\"a\": [\"ok\", \"x\u{2067}y\"]}".to_string(),
        ] {
            assert!(may_hold_forbidden(body.as_bytes()), "{body:?}");
            assert!(parse_json::<serde_json::Value>(body.as_bytes()).is_err(), "{body:?}");
        }
        let plain = "{\"a\": \"Åsa Öberg, undersköterska\\nrad två\"}";
        assert!(!may_hold_forbidden(plain.as_bytes()));
        assert!(parse_json::<serde_json::Value>(plain.as_bytes()).is_ok());
    }
}
