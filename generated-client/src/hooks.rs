//! The seam between the generated client and whoever drives it. progenitor calls `pre` and `exec` on
//! every request; here they look up the operation in the catalog, restore the session proxy's
//! sub-path, and hand the request to an [`Interceptor`] (the `pipecat-cloud` wrapper injects keys and
//! retries there).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use progenitor_client::{ClientHooks, ClientInfo, Error, OperationInfo};

use crate::operation::Operation;
use crate::{Client, catalog, sub_path};

/// A boxed future of a sent request.
pub type SendFuture<'a> = Pin<Box<dyn Future<Output = reqwest::Result<reqwest::Response>> + Send + 'a>>;

/// Code that sees every request of a [`Client`]: to authenticate it, and to send it.
pub trait Interceptor: Send + Sync + fmt::Debug {
    /// Called when the request is built, before it is sent. An `Err` stops the request; its text
    /// becomes [`progenitor_client::Error::Custom`].
    fn before_send(&self, operation: &'static Operation, request: &mut reqwest::Request) -> Result<(), String>;

    /// Sends the request. The default sends it once.
    fn send<'a>(
        &'a self,
        _operation: &'static Operation,
        client: &'a reqwest::Client,
        request: reqwest::Request,
    ) -> SendFuture<'a> {
        Box::pin(client.execute(request))
    }
}

/// What the generated [`Client`] carries for its hooks: an optional [`Interceptor`].
#[derive(Clone, Debug, Default)]
pub struct Hooks {
    interceptor: Option<Arc<dyn Interceptor>>,
}

impl Hooks {
    /// Hooks that pass every request to `interceptor`.
    pub fn new(interceptor: Arc<dyn Interceptor>) -> Self {
        Hooks { interceptor: Some(interceptor) }
    }

    /// Hooks that send requests as they are, with no credentials.
    pub fn none() -> Self {
        Hooks::default()
    }
}

fn operation(info: &OperationInfo) -> Result<&'static Operation, String> {
    catalog::by_method_name(info.operation_id)
        .ok_or_else(|| format!("operation `{}` is not in the catalog", info.operation_id))
}

impl ClientHooks<Hooks> for Client {
    async fn pre<E>(&self, request: &mut reqwest::Request, info: &OperationInfo) -> Result<(), Error<E>> {
        let operation = operation(info).map_err(Error::Custom)?;
        sub_path::restore(operation, request).map_err(Error::InvalidRequest)?;
        match &self.inner().interceptor {
            Some(interceptor) => interceptor.before_send(operation, request).map_err(Error::Custom),
            None => Ok(()),
        }
    }

    async fn exec(&self, request: reqwest::Request, info: &OperationInfo) -> reqwest::Result<reqwest::Response> {
        match (&self.inner().interceptor, catalog::by_method_name(info.operation_id)) {
            (Some(interceptor), Some(operation)) => interceptor.send(operation, self.client(), request).await,
            _ => self.client().execute(request).await,
        }
    }
}
