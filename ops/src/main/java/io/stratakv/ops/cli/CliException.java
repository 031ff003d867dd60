package io.stratakv.ops.cli;

/** A command that cannot run as asked: its exit code and the line to print. */
class CliException extends RuntimeException {

    private static final long serialVersionUID = 1L;
    private final int exitCode;

    CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }

    /** Wrong words or options (exit 2); the command's usage is printed with it. */
    static final class Usage extends CliException {
        private static final long serialVersionUID = 1L;

        Usage(String message) {
            super(ExitCodes.USAGE, message);
        }
    }
}
