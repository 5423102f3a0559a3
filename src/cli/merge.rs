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
        let cannot = |why: String| {
            CliError::failed(
                format!("cannot read `{file}`: {why}"),
                Some("give the shard files written by --shard I/N --out PATH".into()),
            )
        };
        let bytes = nshed::fsio::Input::open(
            std::path::Path::new(file),
            nshed::fsio::Accept::Any,
            nshed::experiments::sweep::MAX_SHARD_BYTES,
            "a shard file",
        )
        .and_then(nshed::fsio::Input::read_json_object)
        .map_err(|e| match e {
            nshed::fsio::ReadError::NotJsonObject => {
                cannot("it is not a shard file (it does not start with `{`)".to_string())
            }
            other => cannot(other.to_string()),
        })?;
        let text = String::from_utf8(bytes)
            .map_err(|_| cannot("it is not UTF-8 text, so not a shard file".to_string()))?;
        texts.push((file.clone(), text));
    }
    let report = nshed::experiments::merge(&texts)?;
    args.output
        .emit(ctx, report.as_ref(), args.image.png.as_deref())
}
