//! One module per subcommand: its arguments and how it runs.

pub mod front;
pub mod near;
pub mod share;
pub mod status;
