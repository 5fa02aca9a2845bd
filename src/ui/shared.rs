//! What every panel reads besides its own state.

use crate::core::capabilities::PriceEntry;
use crate::core::{Lang, Region};
use crate::engine::SpendReport;

/// The facts a panel draws with but does not own.
#[derive(Clone, Copy)]
pub struct Shared<'a> {
    pub lang: Lang,
    /// Prices per second, for estimates.
    pub prices: &'a [PriceEntry],
    /// The service address in use, for curl commands.
    pub base_url: &'a str,
    /// Spend today and this month, and the caps, as the engine last said.
    pub spend: Option<SpendReport>,
    /// The region chosen in settings: the model list offers only its models.
    pub region: Region,
}
