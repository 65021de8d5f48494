//! The `partner-gateway` binary: see `cli` for its commands.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    partner_gateway::cli::run().await
}
