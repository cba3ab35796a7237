fn main() -> std::process::ExitCode {
    spantag::cli::main()
}
