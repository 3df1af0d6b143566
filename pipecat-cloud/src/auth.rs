//! Where auth is injected: every request of the generated client passes through [`KeyRing::authorize`]
//! (called by the interceptor), which puts the key the operation needs (private or public, from the
//! catalog) into a sensitive `Authorization: Bearer` header; a request never carries the other key.

use pipecat_cloud_generated::operation::{ApiKeyKind, Operation};
use reqwest::header::AUTHORIZATION;

use crate::api_key::ApiKey;

/// The keys a client holds.
#[derive(Clone, Debug, Default)]
pub(crate) struct KeyRing {
    pub(crate) private: Option<ApiKey>,
    pub(crate) public: Option<ApiKey>,
}

impl KeyRing {
    /// The key for `kind`: `Ok(None)` when the operation needs none, `Err(())` when it is missing.
    pub(crate) fn for_kind(&self, kind: ApiKeyKind) -> Result<Option<&ApiKey>, ()> {
        match kind {
            ApiKeyKind::Private => self.private.as_ref().map(Some).ok_or(()),
            ApiKeyKind::Public => self.public.as_ref().map(Some).ok_or(()),
            ApiKeyKind::None => Ok(None),
        }
    }
}

impl KeyRing {
    /// Sets the `Authorization` header `operation` needs, and no other credential.
    pub(crate) fn authorize(
        &self,
        operation: &'static Operation,
        request: &mut reqwest::Request,
    ) -> Result<(), String> {
        // Whatever was there (nothing, normally) is replaced, so no other credential can ride along.
        request.headers_mut().remove(AUTHORIZATION);
        match self.for_kind(operation.key) {
            Ok(Some(key)) => {
                request.headers_mut().insert(AUTHORIZATION, key.authorization());
                Ok(())
            }
            Ok(None) => Ok(()),
            Err(()) => {
                Err(format!("{} needs the {} API key, which this client was not given", operation.id, operation.key))
            }
        }
    }
}
