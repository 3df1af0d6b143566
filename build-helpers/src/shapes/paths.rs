//! Path templates: the parameters a path names (`/agents/{agentName}/logs` names `agentName`).

/// The `{names}` in a path template, in order.
pub fn template_names(path: &str) -> Vec<&str> {
    path.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(name, _)| name)).collect()
}
