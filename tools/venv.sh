# Sourced by the tools: create .venv with the project installed, or bring
# it up to date when the requirement files changed since the last install.
# The first time takes about two minutes (mostly pip); every step says so
# on stderr as it starts, and pip prints one line per package it gets.
PYTHON=${PYTHON:-python3}
_venv_step() {
    printf '[venv %3ds] %s\n' "$(( $(date +%s) - _venv_started ))" "$*" >&2
}
_venv_started=$(date +%s)
_venv_pip() {
    if ! .venv/bin/python -m pip install "$@" >> "$log" 2>&1; then
        _venv_step "pip install $* failed; the end of its output ($log):"
        tail -n 20 "$log" >&2
        exit 1
    fi
}
if [ ! -x .venv/bin/python ]; then
    _venv_step "Creating .venv with $PYTHON (first run: about 2 minutes in all) ..."
    "$PYTHON" -m venv .venv
fi
stamp=.venv/.tacker-installed
want=$(cat requirements.txt test-requirements.txt setup.cfg | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    # Every pip's whole output goes to the log; on the screen, only the
    # steps and (below) one line per package.
    log=.venv/pip-install.log
    : > "$log"
    _venv_step "Upgrading pip ..."
    _venv_pip -q --upgrade pip
    _venv_step "Installing requirements.txt and test-requirements.txt (about 100 s the first time) ..."
    # Not -q: pip's "Collecting ..." lines show it is getting somewhere;
    # only those and the final "Successfully installed" reach the screen.
    if ! .venv/bin/python -m pip install --progress-bar off \
            -r requirements.txt -r test-requirements.txt > >(tee -a "$log" \
            | grep --line-buffered -E '^(Collecting|Processing|Successfully installed)' \
            | sed -u -e 's/^\(.\{96\}\).*/\1 .../' -e 's/^/    /' >&2) 2>&1; then
        wait 2>/dev/null || true
        _venv_step "pip failed; the end of its output ($log):"
        tail -n 20 "$log" >&2
        exit 1
    fi
    wait 2>/dev/null || true
    _venv_step "Installing the project (editable) ..."
    _venv_pip -q --no-deps -e .
    echo "$want" > "$stamp"
    _venv_step ".venv is ready."
fi
