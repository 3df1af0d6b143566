//! Where auth is injected: every request starts from [`KeyRing::authorization`], which picks the key the
//! operation needs (private or public, from its catalog entry) as a sensitive `Authorization: Bearer`
//! header. A request never carries the other key, and a call whose key the client lacks is refused
//! before anything is built.

use pipecat_cloud_generated::operation::{ApiKeyKind, Operation};
use reqwest::header::HeaderValue;

use crate::api_key::ApiKey;
use crate::error::Error;

/// The keys a client holds.
#[derive(Clone, Debug, Default)]
pub(crate) struct KeyRing {
    pub(crate) private: Option<ApiKey>,
    pub(crate) public: Option<ApiKey>,
}

impl KeyRing {
    /// The `Authorization` value `operation` needs: `None` when it needs no key, an error when this
    /// ring lacks the key.
    pub(crate) fn authorization(&self, operation: &'static Operation) -> Result<Option<HeaderValue>, Error> {
        let key = match operation.key {
            ApiKeyKind::Private => self.private.as_ref(),
            ApiKeyKind::Public => self.public.as_ref(),
            ApiKeyKind::None => return Ok(None),
            // A kind this version does not know: send nothing rather than the wrong key.
            _ => None,
        };
        match key {
            Some(key) => Ok(Some(key.authorization())),
            None => Err(Error::MissingKey { operation: operation.id.as_str(), needed: operation.key }),
        }
    }
}
