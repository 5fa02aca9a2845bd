//! Linux and other free desktops: the Unity launcher API's `Update` signal on
//! the session bus (its object path, the app's URI and the properties, as the
//! signal carries them).

use super::LauncherState;
use std::collections::HashMap;
use zbus::Variant;

pub const INTERFACE: &str = "com.canonical.Unity.LauncherEntry"; // not text: a D-Bus name
pub const SIGNAL: &str = "Update"; // not text: a D-Bus name

/// Any path of our own will do; readers match on the app URI.
pub fn path(desktop_id: &str) -> String {
    let clean: String = desktop_id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("/app/r2vstudio/launcher/{clean}") // not text: a D-Bus object path
}

pub fn app_uri(desktop_id: &str) -> String {
    format!("application://{desktop_id}.desktop") // not text: a URI
}

pub fn properties(state: LauncherState) -> HashMap<&'static str, Variant<'static>> {
    let count = i64::try_from(state.count).unwrap_or(i64::MAX);
    HashMap::from([
        ("count", Variant::from(count)), // not text: a D-Bus property name
        ("count-visible", Variant::from(state.count > 0)), // not text: a D-Bus property name
        ("progress", Variant::from(state.progress.unwrap_or(0.0))), // not text: a D-Bus property name
        ("progress-visible", Variant::from(state.progress.is_some())), // not text: a D-Bus property name
        ("urgent", Variant::from(false)), // not text: a D-Bus property name
    ])
}

/// The launcher on a free desktop: the signal on the session bus (no bus, or
/// nobody listening: nothing happens, and the first failure is logged once).
pub struct Backend {
    desktop_id: String,
    runtime: Option<tokio::runtime::Runtime>,
    connection: Option<zbus::Connection>,
    failed: bool,
}

impl Backend {
    pub fn new(desktop_id: &str) -> Backend {
        Backend {
            desktop_id: desktop_id.to_string(),
            runtime: None,
            connection: None,
            failed: false,
        }
    }

    pub fn attach(&mut self, _window: isize) {}

    pub fn show(&mut self, state: LauncherState) {
        if self.failed {
            return;
        }
        if let Err(e) = self.try_show(state) {
            tracing::info!("launcher progress unavailable: {e}");
            self.failed = true;
        }
    }

    fn try_show(&mut self, state: LauncherState) -> Result<(), String> {
        if self.runtime.is_none() {
            self.runtime = Some(
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| e.to_string())?,
            );
        }
        let Some(runtime) = &self.runtime else {
            return Ok(());
        };
        if self.connection.is_none() {
            self.connection = Some(
                runtime
                    .block_on(zbus::Connection::session())
                    .map_err(|e| e.to_string())?,
            );
        }
        let Some(connection) = &self.connection else {
            return Ok(());
        };
        let body = (app_uri(&self.desktop_id), properties(state));
        runtime
            .block_on(connection.emit_signal(
                None::<&str>,
                path(&self.desktop_id).as_str(),
                INTERFACE,
                SIGNAL,
                &body,
            ))
            .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_unity_signal_names_the_desktop_file_and_carries_progress_and_count() {
        use zbus::Variant;
        assert_eq!(app_uri("r2v-studio"), "application://r2v-studio.desktop");
        assert!(zbus::ObjectPath::try_from(path("r2v-studio").as_str()).is_ok());
        let props = properties(LauncherState {
            count: 3,
            progress: Some(0.4),
        });
        assert_eq!(props["count"], Variant::from(3i64));
        assert_eq!(props["count-visible"], Variant::from(true));
        assert_eq!(props["progress"], Variant::from(0.4f64));
        assert_eq!(props["progress-visible"], Variant::from(true));
        let idle = properties(LauncherState::IDLE);
        assert_eq!(idle["progress-visible"], Variant::from(false));
        assert_eq!(idle["count-visible"], Variant::from(false));
    }
}
