//! JSON-RPC 2.0 messages as the protocol carries them: what a body says (a request, a
//! notification, a response, or something the server must refuse), and the messages the
//! server sends back.

use serde_json::{json, Value};

/// The JSON-RPC and LSP error codes the server answers with.
pub mod code {
    /// The body is not JSON.
    pub const PARSE_ERROR: i64 = -32700;
    /// The JSON is not a request, a notification or a response; or the request is not
    /// allowed now (after `shutdown`, a second `initialize`).
    pub const INVALID_REQUEST: i64 = -32600;
    pub const METHOD_NOT_FOUND: i64 = -32601;
    pub const INVALID_PARAMS: i64 = -32602;
    pub const INTERNAL_ERROR: i64 = -32603;
    /// A request before `initialize`.
    pub const SERVER_NOT_INITIALIZED: i64 = -32002;
    /// The request was understood but cannot be done (a rename to a reserved word).
    pub const REQUEST_FAILED: i64 = -32803;
}

/// A message from the client.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    Request {
        /// A number or a string, given back in the answer.
        id: Value,
        method: String,
        params: Value,
    },
    Notification {
        method: String,
        params: Value,
    },
    /// An answer to a request of the server's (it sends none, so it is ignored).
    Response,
    /// What the server must answer with an error though it cannot tell what was meant:
    /// `id` is the message's own when it had a valid one, otherwise `null`.
    Invalid {
        id: Value,
        code: i64,
        message: String,
    },
}

impl Incoming {
    /// The document a `didChange` notification changes, for coalescing bursts of them.
    pub fn changed_document(&self) -> Option<&str> {
        match self {
            Incoming::Notification { method, params } if method == "textDocument/didChange" => {
                params.pointer("/textDocument/uri")?.as_str()
            }
            _ => None,
        }
    }
}

/// Reads one message body.
pub fn parse(body: &[u8]) -> Incoming {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return Incoming::Invalid {
                id: Value::Null,
                code: code::PARSE_ERROR,
                message: format!("the message is not JSON: {e}"),
            }
        }
    };
    let Value::Object(mut object) = value else {
        return invalid(Value::Null, "a message is a JSON object");
    };
    let id = match object.remove("id") {
        None => None,
        Some(id @ (Value::Number(_) | Value::String(_))) => Some(id),
        Some(_) => return invalid(Value::Null, "`id` is a number or a string"),
    };
    if object.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return invalid(id.unwrap_or_default(), "`jsonrpc` must be \"2.0\"");
    }
    let params = object.remove("params").unwrap_or(Value::Null);
    match (object.remove("method"), id) {
        (Some(Value::String(method)), Some(id)) => Incoming::Request { id, method, params },
        (Some(Value::String(method)), None) => Incoming::Notification { method, params },
        (Some(_), id) => invalid(id.unwrap_or_default(), "`method` is a string"),
        (None, Some(_)) if object.contains_key("result") || object.contains_key("error") => {
            Incoming::Response
        }
        (None, id) => invalid(
            id.unwrap_or_default(),
            "a message has a `method` (a request or a notification) or a `result` or `error` (a response)",
        ),
    }
}

fn invalid(id: Value, message: &str) -> Incoming {
    Incoming::Invalid {
        id,
        code: code::INVALID_REQUEST,
        message: format!("invalid request: {message}"),
    }
}

/// The answer to request `id`.
pub fn response(id: Value, answer: Result<Value, (i64, String)>) -> Value {
    match answer {
        Ok(result) => json!({ "jsonrpc": "2.0", "id": id, "result": result }),
        Err((code, message)) => json!({
            "jsonrpc": "2.0",
            "id": id,
            "error": { "code": code, "message": message },
        }),
    }
}

/// A notification to the client.
pub fn notification(method: &str, params: Value) -> Value {
    json!({ "jsonrpc": "2.0", "method": method, "params": params })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_of(body: &str) -> Option<(Value, i64)> {
        match parse(body.as_bytes()) {
            Incoming::Invalid { id, code, .. } => Some((id, code)),
            _ => None,
        }
    }

    #[test]
    fn requests_notifications_and_responses_are_told_apart() {
        assert_eq!(
            parse(br#"{"jsonrpc":"2.0","id":"a","method":"m","params":[1]}"#),
            Incoming::Request {
                id: json!("a"),
                method: "m".into(),
                params: json!([1])
            }
        );
        assert_eq!(
            parse(br#"{"jsonrpc":"2.0","method":"n"}"#),
            Incoming::Notification {
                method: "n".into(),
                params: Value::Null
            }
        );
        assert_eq!(
            parse(br#"{"jsonrpc":"2.0","id":7,"result":null}"#),
            Incoming::Response
        );
    }

    #[test]
    fn what_is_not_a_message_gets_the_json_rpc_codes() {
        assert_eq!(code_of("{not json"), Some((Value::Null, -32700)));
        assert_eq!(code_of(""), Some((Value::Null, -32700)));
        assert_eq!(code_of("[1,2,3]"), Some((Value::Null, -32600)));
        assert_eq!(code_of("42"), Some((Value::Null, -32600)));
        assert_eq!(
            code_of(r#"{"jsonrpc":"2.0","id":3}"#),
            Some((json!(3), -32600))
        );
        assert_eq!(
            code_of(r#"{"jsonrpc":"2.0","id":3,"method":5}"#),
            Some((json!(3), -32600))
        );
        assert_eq!(
            code_of(r#"{"id":4,"method":"m"}"#),
            Some((json!(4), -32600))
        );
        assert_eq!(
            code_of(r#"{"jsonrpc":"2.0","id":[1],"method":"m"}"#),
            Some((Value::Null, -32600))
        );
    }
}
