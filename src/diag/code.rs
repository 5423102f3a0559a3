//! The code of every diagnostic nshed gives: one variant per kind of problem, so that a
//! caller matches on a type rather than on strings. [`ErrorCode::as_str`] is the code as
//! users see it (in rendered diagnostics, `--error-format json`, the language server and
//! Python's `NshedError.code`); those strings are stable.

use std::fmt;

/// Defines [`ErrorCode`], its strings and the list of every code from one table, so that a
/// code and its string cannot drift apart.
macro_rules! error_codes {
    ($($(#[doc = $doc:literal])+ $variant:ident = $code:literal,)+) => {
        /// The stable code of a diagnostic (for example
        /// [`ErrorCode::CheckUnknownName`], shown as `nshed::check::unknown_name`).
        ///
        /// New kinds of problem add variants, so a `match` needs a wildcard arm.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $($(#[doc = $doc])+ $variant,)+
        }

        impl ErrorCode {
            /// Every code.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)+];

            /// The code as users see it, e.g. `nshed::check::unknown_name`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)+
                }
            }
        }
    };
}

error_codes! {
    /// A `copies N flip q` whose `N` is not a number of copies.
    CheckBadCopies = "nshed::check::bad_copies",
    /// A data file (`from "FILE.csv"`) that cannot be read: missing, unreadable, too
    /// large, not UTF-8, or not CSV.
    DataRead = "nshed::data::read",
    /// A data file's header: no `label` column, a column named twice, or a column that is
    /// not a level-1 node (nor `label`, `name`, `weight`).
    DataColumn = "nshed::data::column",
    /// A data file's row with more or fewer cells than its header.
    DataRagged = "nshed::data::ragged_row",
    /// A data file's cell that is not what its column holds (`0`/`1`, a class, a name, a
    /// weight).
    DataCell = "nshed::data::cell",
    /// A model text that cannot be edited as asked (other data, another batch size).
    Edit = "nshed::edit",
    /// A failure that has no diagnostic of its own (a front end's last resort).
    Error = "nshed::error",
    /// A computation that could not be done on this model or with these options.
    Failed = "nshed::failed",
    /// A bug in nshed: a result that cannot happen did.
    Internal = "nshed::internal",
    /// A long computation stopped by its caller before it was done.
    Interrupted = "nshed::interrupted",
    /// A file or stream could not be read or written.
    Io = "nshed::io",
    /// Standard output was a pipe whose reader had gone.
    IoClosedPipe = "nshed::io::closed_pipe",
    /// A path that should be a file is a directory.
    IoIsDirectory = "nshed::io::is_directory",
    /// A source that is not UTF-8 text.
    IoNotUtf8 = "nshed::io::not_utf8",
    /// A path that must be a regular file (found in a directory, or to be written back)
    /// is a FIFO, a device or a socket.
    IoNotRegular = "nshed::io::not_regular",
    /// An output would overwrite one of the command's own input files.
    IoOutputIsInput = "nshed::io::output_is_input",
    /// An output would replace a file that holds a model.
    IoOutputIsModel = "nshed::io::output_is_model",
    /// A read that waited for data, stopped by a signal.
    IoStopped = "nshed::io::stopped",
    /// A source larger than nshed reads.
    IoTooLarge = "nshed::io::too_large",
    /// A model larger than the size limits (`Limits`).
    Limit = "nshed::limit",
    /// The model has errors (the diagnostics that follow say which).
    Model = "nshed::model",
    /// A command stopped by a signal.
    Stopped = "nshed::stopped",
    /// Options or arguments that do not go together.
    Usage = "nshed::usage",

    /// Text that is not the language's syntax.
    Syntax = "nshed::syntax",
    /// Nothing to parse where something was expected.
    SyntaxEmpty = "nshed::syntax::empty",
    /// A number expression nested more deeply than nshed accepts.
    SyntaxTooDeep = "nshed::syntax::too_deep",
    /// A number expression with more operators than nshed accepts.
    SyntaxTooLong = "nshed::syntax::too_long",
    /// Text after a complete number expression.
    SyntaxTrailing = "nshed::syntax::trailing",

    /// `batch N` larger than the data (a warning: one step spans several epochs).
    CheckBatchSpansEpochs = "nshed::check::batch_spans_epochs",
    /// `batch N` larger than a step can hold.
    CheckBatchTooLarge = "nshed::check::batch_too_large",
    /// An init distribution with impossible parameters.
    CheckBadDistribution = "nshed::check::bad_distribution",
    /// A `freeze` of something that cannot be frozen.
    CheckBadFreeze = "nshed::check::bad_freeze",
    /// A growth rule that does not grow.
    CheckBadGrow = "nshed::check::bad_grow",
    /// An `atleast k` whose `k` can never fire or always fires.
    CheckBadK = "nshed::check::bad_k",
    /// A probability outside `[0, 1]`.
    CheckBadProbability = "nshed::check::bad_probability",
    /// A shrink rule that does not shrink.
    CheckBadShrink = "nshed::check::bad_shrink",
    /// A `within` tolerance that is negative or goes with the wrong comparison.
    CheckBadTolerance = "nshed::check::bad_tolerance",
    /// A rule that names something that cannot grow (a warning).
    CheckCannotGrow = "nshed::check::cannot_grow",
    /// A class that no data sample is labelled with (a warning).
    CheckClassWithoutSamples = "nshed::check::class_without_samples",
    /// A node that nothing above uses (a warning).
    CheckDeadNode = "nshed::check::dead_node",
    /// A block given twice.
    CheckDuplicateBlock = "nshed::check::duplicate_block",
    /// A name declared twice.
    CheckDuplicateName = "nshed::check::duplicate_name",
    /// A statement given twice where one is allowed.
    CheckDuplicateStatement = "nshed::check::duplicate_statement",
    /// An `expect` block about a trained state in a model that does not train.
    CheckExpectUntrained = "nshed::check::expect_untrained",
    /// A node's rule that does not fit its level.
    CheckGate = "nshed::check::gate",
    /// A phase that changes `init`.
    CheckInitInPhase = "nshed::check::init_in_phase",
    /// A whole number that does not fit in 64 bits.
    CheckIntTooLarge = "nshed::check::int_too_large",
    /// `jitter` on a rule that is not a `mul` rule.
    CheckJitterNonMul = "nshed::check::jitter_non_mul",
    /// An `le` expectation whose base has no label.
    CheckLeLabel = "nshed::check::le_label",
    /// A `mul` rule whose step is lost to rounding at a value's starting log (a warning).
    CheckLostToRounding = "nshed::check::lost_to_rounding",
    /// A model without levels or classes, or in the wrong order.
    CheckModelShape = "nshed::check::model_shape",
    /// A value that must not be negative is.
    CheckNegative = "nshed::check::negative",
    /// A data sample whose pathway reaches no class (a warning).
    CheckNoClassReached = "nshed::check::no_class_reached",
    /// Training without data.
    CheckNoData = "nshed::check::no_data",
    /// An edge that the model does not declare.
    CheckNoSuchEdge = "nshed::check::no_such_edge",
    /// A number that is not finite.
    CheckNotFinite = "nshed::check::not_finite",
    /// A `test accuracy` or `test loss` expectation in a model without a `test` block.
    CheckNoTestSet = "nshed::check::no_test_set",
    /// A value beyond what nshed can compute with.
    CheckOutOfRange = "nshed::check::out_of_range",
    /// A `train` block's phase or schedule that cannot run.
    CheckPhase = "nshed::check::phase",
    /// A name listed twice where once is meant.
    CheckRepeated = "nshed::check::repeated",
    /// A value recorded twice (a warning).
    CheckRepeatedWarning = "nshed::check::repeated_warning",
    /// A name that the model does not declare.
    CheckUnknownName = "nshed::check::unknown_name",
    /// A data sample that the model does not declare.
    CheckUnknownSample = "nshed::check::unknown_sample",
    /// A keyword value that is not one of the allowed words.
    CheckUnknownWord = "nshed::check::unknown_word",
    /// A name of the wrong kind (a level where a node is meant, ...).
    CheckWrongKind = "nshed::check::wrong_kind",
    /// A child or parent from the wrong level.
    CheckWrongLevel = "nshed::check::wrong_level",
    /// A data sample of weight 0 (a warning).
    CheckZeroWeight = "nshed::check::zero_weight",

    /// A query whose base has no label.
    QueryMissingLabel = "nshed::query::missing_label",
    /// A pattern that names a node above the input level.
    QueryNotAnInputNode = "nshed::query::not_an_input_node",
    /// A query that is not the query language's syntax.
    QuerySyntax = "nshed::query::syntax",
    /// A query naming something the model does not declare.
    QueryUnknownName = "nshed::query::unknown_name",
    /// A malformed name or value in a query.
    QueryValue = "nshed::query::value",

    /// The REPL's information analysis failed.
    ReplAnalysis = "nshed::repl::analysis",
    /// A file the REPL could not write.
    ReplIo = "nshed::repl::io",
    /// A REPL command that needs data, on a model without.
    ReplNoData = "nshed::repl::no_data",
    /// A REPL command that needs a model, before one is loaded.
    ReplNoModel = "nshed::repl::no_model",
    /// `train` without a number, on a model without a schedule.
    ReplNoSchedule = "nshed::repl::no_schedule",
    /// A REPL line that is not a command.
    ReplSyntax = "nshed::repl::syntax",
    /// A REPL command naming something the model does not declare.
    ReplUnknownName = "nshed::repl::unknown_name",

    /// A saved state that is not valid JSON of a state.
    StateCorrupt = "nshed::state::corrupt",
    /// A saved state whose values break the model's invariants.
    StateInvalid = "nshed::state::invalid",
    /// A saved state of another model source.
    StateOtherModel = "nshed::state::other_model",
    /// A saved state that could not be read.
    StateRead = "nshed::state::read",
    /// A saved state larger than nshed reads.
    StateTooLarge = "nshed::state::too_large",
    /// A saved state in a format this nshed does not read.
    StateVersion = "nshed::state::version",
    /// A state that could not be written.
    StateWrite = "nshed::state::write",

    /// An `expect` that did not hold.
    TestExpectation = "nshed::test::expectation",
    /// `nshed test` found no model file.
    TestNoModel = "nshed::test::no_model",
    /// A path `nshed test` could not read.
    TestPath = "nshed::test::path",

    /// A file that is not in the canonical layout (`nshed fmt --check`).
    FmtNotFormatted = "nshed::fmt::not_formatted",

    /// An argument the Python package cannot use.
    PythonArgument = "nshed::python::argument",
    /// A Python call that needs data, on a model without.
    PythonNoData = "nshed::python::no_data",
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;

    #[test]
    fn every_code_has_its_own_string_under_nshed() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "`{s}` twice");
            let mut parts = s.split("::");
            assert_eq!(parts.next(), Some("nshed"), "{s}");
            assert!(
                parts.all(|p| !p.is_empty()
                    && p.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')),
                "{s}"
            );
        }
        assert_eq!(
            ErrorCode::CheckUnknownName.to_string(),
            "nshed::check::unknown_name"
        );
    }
}
