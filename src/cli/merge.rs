//! `nshed merge SHARD...`: the shard files of one sweep, finished by the sweep's own code.

use super::output::{ImageArgs, OutputArgs};
use super::{CliError, Ctx};

#[derive(clap::Args, Debug)]
pub struct MergeArgs {
    /// Every shard file of the sweep, in any order.
    #[arg(required = true, value_name = "SHARD")]
    files: Vec<String>,
    #[command(flatten)]
    output: OutputArgs,
    #[command(flatten)]
    image: ImageArgs,
}

pub fn run(ctx: &Ctx, args: &MergeArgs) -> Result<(), CliError> {
    for file in &args.files {
        ctx.reads(file);
    }
    args.output.check(ctx, args.image.png.as_deref())?;
    let mut texts = Vec::with_capacity(args.files.len());
    for file in &args.files {
        let text = std::fs::read_to_string(file).map_err(|e| {
            CliError::failed(
                format!("cannot read `{file}`: {}", nshed::source::io_reason(&e)),
                Some("give the shard files written by --shard I/N --out PATH".into()),
            )
        })?;
        texts.push((file.clone(), text));
    }
    let report = nshed::experiments::merge(&texts)?;
    args.output
        .emit(ctx, report.as_ref(), args.image.png.as_deref())
}
