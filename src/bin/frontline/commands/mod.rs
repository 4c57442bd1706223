//! One module per subcommand: its arguments and how it runs.

pub mod animate;
pub mod convert;
pub mod diff;
pub mod export;
pub mod front;
pub mod history;
pub mod near;
pub mod series;
pub mod share;
pub mod status;
pub mod store;
pub mod sync;
