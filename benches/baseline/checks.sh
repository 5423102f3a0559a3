# Argument and tool checks shared by the baseline scripts (sourced, not run).

# require_whole USAGE N...: exits 2 with USAGE unless every N is a positive whole number.
require_whole() {
    local usage="$1"
    shift
    local n
    for n in "$@"; do
        if ! [[ "$n" =~ ^[0-9]+$ ]] || [ "$n" -lt 1 ]; then
            echo "error: \`$n\` is not a positive whole number" >&2
            echo "help: $usage" >&2
            exit 2
        fi
    done
}

# require_numpy: exits 1 unless python3 can import numpy.
require_numpy() {
    if ! python3 -c "import numpy" 2>/dev/null; then
        echo "error: the baseline needs numpy" >&2
        echo "help: pip install numpy" >&2
        exit 1
    fi
}
