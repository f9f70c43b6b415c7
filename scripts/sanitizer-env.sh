# The environment the sanitizer build's tests run in; sourced by ./test.sh
# --sanitize and by .ci/run (its rerun of the kill test), so the two agree.
# test_train's deliberately huge allocation must fail as it does without
# ASan; leaks are not errors (LibTorch and Qt keep their singletons);
# UBSan stops at the first report, with its stack. Freed memory is held
# back 16 MB deep (not 256) and new blocks are not filled with a pattern:
# the tests start hundreds of processes, each one allocating LibTorch's
# registries afresh, and this spares a tenth of their CPU time (test_cli:
# 154 CPU-s against 171), most of it page faults.
export ASAN_OPTIONS=detect_leaks=0:detect_odr_violation=0:allocator_may_return_null=1:quarantine_size_mb=16:max_malloc_fill_size=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# An instrumented build runs slower: QtTest's 5-minute limit per test
# function would then fail the node judges' longest rows on a slow machine.
export QTEST_FUNCTION_TIMEOUT=900000
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
