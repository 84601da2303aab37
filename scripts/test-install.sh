#!/usr/bin/env bash
# Install check (CTest install): `cmake --install BUILD_DIR --prefix BUILD_DIR/install-test`, then
# from that prefix only: bin/cobalt --version names the version and a commit; bin/cobalt
# validate accepts the installed example config share/cobalt/configs/quickstart.yaml; `cobalt
# plot` finds its scripts in share/cobalt/tools (not the source tree's tools/); `pkg-config
# --cflags --libs cobalt` works with PKG_CONFIG_PATH=PREFIX/lib*/pkgconfig; and a short C
# program compiled against the installed headers and library with those flags loads a config;
# the installed Python package (lib/python3.X/site-packages/cobalt) loads the installed
# libcobalt.so and checks a config (skipped, with a note, without a python3 with numpy and h5py,
# or with COBALT_TEST_NO_PYTHON set: a sanitizer build). COBALT_TEST_LDFLAGS: extra flags for the
# program's link (a sanitizer build's -fsanitize=...).
#   scripts/test-install.sh BUILD_DIR [CC] [PYTHON3]   (CC: the C compiler, default cc; PYTHON3:
#   the interpreter, default python3)
# Exit 0 when every check passes, 1 at the first that fails. The prefix is removed at the end.
set -euo pipefail
build=$(cd "${1:?usage: scripts/test-install.sh BUILD_DIR [CC]}" && pwd)
cc=${2:-cc}
py=${3:-python3}
prefix=$build/install-test
rm -rf "$prefix"
trap 'rm -rf "$prefix"' EXIT
fail() { echo "test-install: FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$prefix" > /dev/null || fail "cmake --install $build --prefix $prefix"
cobalt=$prefix/bin/cobalt
[ -x "$cobalt" ] || fail "no $cobalt"
for h in cobalt.h config.h status.h hd/hd.h hd/lif_cond.h; do
    [ -f "$prefix/include/cobalt/$h" ] || fail "header include/cobalt/$h not installed"
done

version=$("$cobalt" --version) || fail "cobalt --version exited $?"
echo "$version"
[[ $version =~ ^cobalt\ [0-9]+\.[0-9]+\.[0-9]+\ \(commit\ [0-9a-f]+ ]] || fail "cobalt --version: '$version'"

config=$prefix/share/cobalt/configs/quickstart.yaml
"$cobalt" validate "$config" > /dev/null || fail "cobalt validate $config exited $?"

# cobalt plot: the installed scripts are found from the executable's place (no COBALT_TOOLS_DIR)
plot_err=$(env -u COBALT_TOOLS_DIR "$cobalt" plot "$prefix/none.h5" 2>&1 > /dev/null || true)
case $plot_err in
*"cannot find cobalt_plot.py"*) fail "cobalt plot does not find the installed tools: $plot_err" ;;
esac
[ -f "$prefix/share/cobalt/tools/cobalt_plot.py" ] || fail "tools not installed"

pcdir=$(dirname "$(find "$prefix" -name cobalt.pc | head -n 1)")
[ -f "$pcdir/cobalt.pc" ] || fail "no cobalt.pc under $prefix"
flags=$(PKG_CONFIG_PATH=$pcdir pkg-config --cflags --libs cobalt) || fail "pkg-config --cflags --libs cobalt"
echo "pkg-config: $flags"

cat > "$prefix/prog.c" << 'EOF'
#include <cobalt/cobalt.h>
#include <stdio.h>
int main(int argc, char **argv)
{
    cob_config c;
    cob_err e = {COB_OK, ""};
    if (argc < 2 || cob_config_load(&c, argv[1], NULL, 0, &e) != COB_OK)
        return fprintf(stderr, "%s\n", e.msg), 1;
    printf("%d populations\n", c.n_pops);
    cob_config_free(&c);
    return 0;
}
EOF
# shellcheck disable=SC2086
"$cc" -std=c11 -Wall -Wextra -Werror "$prefix/prog.c" -o "$prefix/prog" $flags ${COBALT_TEST_LDFLAGS:-} ||
    fail "compiling against the install"
out=$("$prefix/prog" "$config") || fail "the program linked against libcobalt exited $?"
[ "$out" = "3 populations" ] || fail "program printed '$out'"

[ -f "$prefix/lib/libcobalt.so" ] || [ -n "$(find "$prefix" -name libcobalt.so)" ] || fail "libcobalt.so not installed"
pkg=$(dirname "$(find "$prefix" -path '*site-packages/cobalt/__init__.py' | head -n 1)")
[ -f "$pkg/_install.py" ] || fail "the Python package is not installed under $prefix"
if [ -n "${COBALT_TEST_NO_PYTHON:-}" ]; then
    echo "test-install: note: a sanitizer build, the installed Python package was not imported"
elif "$py" -c "import numpy, h5py" 2> /dev/null; then
    lib=$(cd "$prefix" && env -u COBALT_LIB -u COBALT_BUILD_DIR PYTHONPATH="$(dirname "$pkg")" "$py" -c \
        "import cobalt; cobalt.load_config('$config'); print(cobalt.library()[0])") ||
        fail "the installed Python package cannot check $config"
    case $lib in
    "$prefix"/*) echo "python: cobalt loads $lib" ;;
    *) fail "the installed Python package loaded $lib, not the installed library" ;;
    esac
else
    echo "test-install: note: $py lacks numpy/h5py, the installed Python package was not imported"
fi
echo "test-install: ok ($prefix)"
