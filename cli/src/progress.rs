//! How a wait shows itself on stderr: a spinner with the phase in a terminal, a line per change of
//! phase otherwise (CI logs stay short and readable).

use std::io::IsTerminal;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use pipecat_cloud::wait::{Progress, WaitOptions};

/// Reports a wait's progress.
#[derive(Clone)]
pub struct Reporter {
    spinner: Option<ProgressBar>,
    last: Arc<Mutex<String>>,
}

impl Reporter {
    /// A reporter for waits on stderr.
    pub fn new() -> Self {
        let spinner = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new_spinner();
            if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Reporter { spinner, last: Arc::new(Mutex::new(String::new())) }
    }

    /// `options` reporting to this reporter.
    pub fn options(&self, interval: Duration, timeout: Duration) -> WaitOptions {
        let reporter = self.clone();
        WaitOptions::default().interval(interval).timeout(timeout).on_progress(move |p| reporter.show(p))
    }

    fn show(&self, progress: &Progress) {
        let text = format!("{}: {}", progress.resource, progress.phase);
        match &self.spinner {
            Some(bar) => bar.set_message(text),
            None => {
                let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
                if *last != text {
                    crate::output::note(&format!("{text} ({}s)", progress.waited.as_secs()));
                    *last = text;
                }
            }
        }
    }

    /// Ends the spinner, leaving `message`.
    pub fn finish(&self, message: &str) {
        match &self.spinner {
            Some(bar) => bar.finish_with_message(message.to_string()),
            None => crate::output::note(message),
        }
    }

    /// Ends the spinner without a message (an error follows).
    pub fn abandon(&self) {
        if let Some(bar) = &self.spinner {
            bar.finish_and_clear();
        }
    }
}
