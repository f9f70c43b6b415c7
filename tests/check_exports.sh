#!/usr/bin/env bash
# Our executables export no symbols (cmake/executable.map). Debian's
# libtorch brings Qt 5 into our Qt 6 processes (through OpenCV's highgui);
# a Qt 6 inline that an executable exports, QByteArray::isNull() say, would
# take Qt 5's calls of its own function of that name (LD_DEBUG=bindings
# shows "binding file libQt5Gui.so.5 to <our executable>"), and the ASan
# build crashed at start-up on it.
#   tests/check_exports.sh EXECUTABLE...
set -euo pipefail
status=0
for exe in "$@"; do
  # Global definitions without a version. Versioned ones (cout@GLIBCXX_3.4)
  # are a library's data the executable holds by copy relocation, bound by
  # version; local ones (lower-case types but 'u') bind nothing.
  syms=$(nm -D --defined-only "$exe" | awk '$2 ~ /^[A-Zu]$/ && $3 !~ /@/ {print $3}' |
    grep -Ev '^(_IO_stdin_used|__bss_start|_edata|_end|_init|_fini)$' |
    grep -Ev '^__(asan|ubsan|sanitizer)_' || true)  # the sanitizers' own (ASan's build)
  if [ -n "$syms" ]; then
    echo "$exe exports $(echo "$syms" | wc -l) symbols, e.g.:" >&2
    echo "$syms" | head -5 | c++filt >&2
    status=1
  fi
done
exit $status
