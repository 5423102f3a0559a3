fn main() -> std::process::ExitCode {
    nshed::cli::main()
}
