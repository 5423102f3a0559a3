# Sourced (from the repository root) by the figure scripts: defines `nshed`, which runs
# $NSHED when set, else the release binary, built here once.
if [[ -z "${NSHED:-}" ]]; then
  cargo build --release --quiet
  NSHED="$PWD/target/release/nshed"
fi
export NSHED
nshed() { "$NSHED" "$@"; }
