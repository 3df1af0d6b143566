//! Every declared assumption: what the spec must offer, and the code that relies on it.

use super::{Assumption, Needs};

const WAIT: &str = "pipecat-cloud/src/wait.rs";
const WAIT_AND_QUICKSTART: &str = "pipecat-cloud/src/wait.rs, emulator/examples/quickstart.rs";
const WAIT_AND_SECRET_SYNC: &str = "pipecat-cloud/src/wait.rs, examples/secret-sync";
const BUILD_RUN: &str = "cli/src/workflows/build.rs (build run)";
const IMAGE_PULL_SECRET: &str = "cli/src/workflows/secrets.rs (secret image-pull-secret)";
const QUICKSTART: &str = "emulator/examples/quickstart.rs";
const DEPLOY: &str = "pipecat-cloud/src/deploy.rs";

/// Every declared assumption.
pub const ASSUMPTIONS: &[Assumption] = &[
    Assumption {
        operation: "getSecretSet",
        needs: Needs::FieldValues(&["status"], &["ready", "failed"]),
        relied_on_by: WAIT_AND_SECRET_SYNC,
    },
    Assumption {
        operation: "getSecretSet",
        needs: Needs::Field(&["errorMessage"]),
        relied_on_by: WAIT_AND_SECRET_SYNC,
    },
    Assumption {
        operation: "getSecretSet",
        needs: Needs::Field(&["secrets", "[]", "fieldName"]),
        relied_on_by: "examples/secret-sync, emulator/examples/quickstart.rs",
    },
    Assumption {
        operation: "listSecretSets",
        needs: Needs::Field(&["sets", "[]", "name"]),
        relied_on_by: WAIT_AND_QUICKSTART,
    },
    Assumption {
        operation: "listSecretSets",
        needs: Needs::FieldValues(&["sets", "[]", "status"], &["ready", "failed"]),
        relied_on_by: WAIT_AND_QUICKSTART,
    },
    Assumption {
        operation: "listSecretSets",
        needs: Needs::Field(&["sets", "[]", "errorMessage"]),
        relied_on_by: WAIT,
    },
    Assumption {
        operation: "upsertSecretSet",
        needs: Needs::Operation,
        relied_on_by: "examples/secret-sync, emulator/examples/quickstart.rs",
    },
    Assumption {
        operation: "deleteSecretFromSet",
        needs: Needs::Operation,
        relied_on_by: "examples/secret-sync, emulator/examples/quickstart.rs",
    },
    // `deploy` looks the agent up to choose between an update and a new agent.
    Assumption { operation: "getService", needs: Needs::Operation, relied_on_by: DEPLOY },
    Assumption { operation: "getService", needs: Needs::Field(&["desiredDeploymentId"]), relied_on_by: WAIT },
    Assumption {
        operation: "getService",
        needs: Needs::Field(&["reconciledDeploymentId"]),
        relied_on_by: WAIT_AND_QUICKSTART,
    },
    Assumption { operation: "getService", needs: Needs::Field(&["ready"]), relied_on_by: WAIT_AND_QUICKSTART },
    Assumption {
        operation: "getService",
        needs: Needs::FieldValues(&["currentRevision", "phase"], &["Failed"]),
        relied_on_by: WAIT_AND_QUICKSTART,
    },
    Assumption {
        operation: "getService",
        needs: Needs::Field(&["currentRevision", "deploymentID"]),
        relied_on_by: WAIT,
    },
    Assumption {
        operation: "getService",
        needs: Needs::Field(&["currentRevision", "health", "message"]),
        relied_on_by: WAIT,
    },
    Assumption {
        operation: "getService",
        needs: Needs::Field(&["currentRevision", "health", "reason"]),
        relied_on_by: WAIT,
    },
    Assumption {
        operation: "getService",
        needs: Needs::Field(&["currentRevision", "health", "lastTerminationReason"]),
        relied_on_by: WAIT,
    },
    Assumption { operation: "getBuild", needs: Needs::UuidPathParameter("buildId"), relied_on_by: WAIT },
    Assumption {
        operation: "getBuild",
        needs: Needs::FieldValues(&["build", "status"], &["success", "failed", "timeout"]),
        relied_on_by: WAIT,
    },
    Assumption { operation: "getBuild", needs: Needs::Field(&["build", "errorMessage"]), relied_on_by: WAIT },
    Assumption {
        operation: "getProperties",
        needs: Needs::Field(&["properties", "defaultRegion"]),
        relied_on_by: "cli/src/workflows/build.rs (build run without --region)",
    },
    Assumption {
        operation: "listRegions",
        needs: Needs::Operation,
        relied_on_by: "cli/src/workflows/auth.rs (auth check)",
    },
    Assumption {
        operation: "getLogs",
        needs: Needs::Paged,
        relied_on_by: "cli/src/workflows/logs.rs (agent logs --follow), emulator/examples/quickstart.rs",
    },
    Assumption {
        operation: "getLogs",
        needs: Needs::QueryValues("order", &["asc", "desc"]),
        relied_on_by: "cli/src/workflows/logs.rs, emulator/examples/quickstart.rs",
    },
    Assumption {
        operation: "getLogs",
        needs: Needs::Field(&["logs", "[]", "timestamp"]),
        relied_on_by: "cli/src/workflows/logs.rs",
    },
    Assumption {
        operation: "getLogs",
        needs: Needs::Field(&["logs", "[]", "log"]),
        relied_on_by: "cli/src/workflows/logs.rs",
    },
    Assumption {
        operation: "getLogs",
        needs: Needs::Field(&["logs", "[]", "deploymentId"]),
        relied_on_by: "cli/src/workflows/logs.rs",
    },
    Assumption { operation: "createService", needs: Needs::Operation, relied_on_by: DEPLOY },
    Assumption { operation: "startService", needs: Needs::Field(&["sessionId"]), relied_on_by: QUICKSTART },
    Assumption {
        operation: "getSessions",
        needs: Needs::Field(&["sessions", "[]", "sessionId"]),
        relied_on_by: QUICKSTART,
    },
    Assumption { operation: "getSessions", needs: Needs::Field(&["total_count"]), relied_on_by: QUICKSTART },
    Assumption { operation: "getBuildUploadUrl", needs: Needs::Field(&["uploadId"]), relied_on_by: BUILD_RUN },
    Assumption { operation: "getBuildUploadUrl", needs: Needs::Field(&["uploadUrl"]), relied_on_by: BUILD_RUN },
    Assumption { operation: "getBuildUploadUrl", needs: Needs::Field(&["uploadFields"]), relied_on_by: BUILD_RUN },
    Assumption { operation: "createBuild", needs: Needs::BodyField(&["dockerfilePath"]), relied_on_by: BUILD_RUN },
    Assumption { operation: "createBuild", needs: Needs::Field(&["build", "id"]), relied_on_by: BUILD_RUN },
    Assumption { operation: "createBuild", needs: Needs::Field(&["build", "status"]), relied_on_by: BUILD_RUN },
    Assumption { operation: "createBuild", needs: Needs::Field(&["build", "imageUri"]), relied_on_by: BUILD_RUN },
    Assumption { operation: "getBuild", needs: Needs::Field(&["build", "imageUri"]), relied_on_by: BUILD_RUN },
    Assumption { operation: "getBuildLogs", needs: Needs::QueryParameter("limit"), relied_on_by: BUILD_RUN },
    Assumption { operation: "getBuildLogs", needs: Needs::Field(&["logs", "[]"]), relied_on_by: BUILD_RUN },
    Assumption {
        operation: "upsertSecretSet",
        needs: Needs::BodyField(&["<RegularSecretsRequest>", "region"]),
        relied_on_by: "cli/src/workflows/secrets.rs (secret set), examples/secret-sync",
    },
    Assumption {
        operation: "upsertSecretSet",
        needs: Needs::BodyField(&["<ImagePullSecretRequest>", "region"]),
        relied_on_by: IMAGE_PULL_SECRET,
    },
    Assumption { operation: "upsertSecretSet", needs: Needs::Field(&["region"]), relied_on_by: QUICKSTART },
    Assumption { operation: "createService", needs: Needs::Field(&["desiredDeploymentId"]), relied_on_by: DEPLOY },
    Assumption { operation: "updateService", needs: Needs::Field(&["desiredDeploymentId"]), relied_on_by: DEPLOY },
    Assumption { operation: "startService", needs: Needs::BodyField(&["createDailyRoom"]), relied_on_by: QUICKSTART },
    Assumption { operation: "startService", needs: Needs::Field(&["dailyRoom"]), relied_on_by: QUICKSTART },
    Assumption { operation: "getSessions", needs: Needs::Paged, relied_on_by: QUICKSTART },
    Assumption {
        operation: "getSessions",
        needs: Needs::Field(&["sessions", "[]", "coldStart"]),
        relied_on_by: QUICKSTART,
    },
    Assumption { operation: "createService", needs: Needs::BodyField(&["image"]), relied_on_by: DEPLOY },
    Assumption { operation: "createService", needs: Needs::BodyField(&["buildId"]), relied_on_by: DEPLOY },
    Assumption { operation: "createService", needs: Needs::BodyField(&["secretSet"]), relied_on_by: DEPLOY },
    Assumption { operation: "createService", needs: Needs::BodyField(&["imagePullSecretSet"]), relied_on_by: DEPLOY },
    Assumption { operation: "createService", needs: Needs::BodyField(&["agentProfile"]), relied_on_by: DEPLOY },
    Assumption { operation: "createService", needs: Needs::BodyField(&["maxSessionDuration"]), relied_on_by: DEPLOY },
    Assumption { operation: "createService", needs: Needs::BodyField(&["nodeType"]), relied_on_by: DEPLOY },
    Assumption {
        operation: "createService",
        needs: Needs::BodyField(&["krispViva", "audioFilter"]),
        relied_on_by: DEPLOY,
    },
    Assumption {
        operation: "createService",
        needs: Needs::BodyField(&["autoScaling", "minAgents"]),
        relied_on_by: DEPLOY,
    },
    Assumption {
        operation: "createService",
        needs: Needs::BodyField(&["autoScaling", "maxAgents"]),
        relied_on_by: DEPLOY,
    },
    Assumption { operation: "createService", needs: Needs::BodyField(&["region"]), relied_on_by: DEPLOY },
    Assumption { operation: "updateService", needs: Needs::BodyField(&["image"]), relied_on_by: DEPLOY },
    Assumption { operation: "updateService", needs: Needs::BodyField(&["buildId"]), relied_on_by: DEPLOY },
    Assumption { operation: "updateService", needs: Needs::BodyField(&["secretSet"]), relied_on_by: DEPLOY },
    Assumption { operation: "updateService", needs: Needs::BodyField(&["imagePullSecretSet"]), relied_on_by: DEPLOY },
    Assumption { operation: "updateService", needs: Needs::BodyField(&["agentProfile"]), relied_on_by: DEPLOY },
    Assumption { operation: "updateService", needs: Needs::BodyField(&["maxSessionDuration"]), relied_on_by: DEPLOY },
    Assumption { operation: "updateService", needs: Needs::BodyField(&["nodeType"]), relied_on_by: DEPLOY },
    Assumption {
        operation: "updateService",
        needs: Needs::BodyField(&["krispViva", "audioFilter"]),
        relied_on_by: DEPLOY,
    },
    Assumption {
        operation: "updateService",
        needs: Needs::BodyField(&["autoScaling", "minAgents"]),
        relied_on_by: DEPLOY,
    },
    Assumption {
        operation: "updateService",
        needs: Needs::BodyField(&["autoScaling", "maxAgents"]),
        relied_on_by: DEPLOY,
    },
    Assumption { operation: "updateService", needs: Needs::BodyField(&["forceRedeploy"]), relied_on_by: DEPLOY },
];
