#!/usr/bin/env bash
# Check that every shared object of a built bundle finds its libraries inside the bundle,
# except the base system every Linux desktop has (glibc, libGL/EGL, fontconfig and the X11
# client libraries). Fails, naming each library, on one that is missing or that resolves
# outside the bundle without being on that list, and on a bundled library nothing loads.
#
#   packaging/check-bundle-libs.sh BUNDLE_DIR
#
# The bundle's executable re-executes itself with LD_LIBRARY_PATH set to its _internal/
# folder; ldd is run the same way, so that it resolves as the running application does.
set -euo pipefail
bundle=${1:?usage: check-bundle-libs.sh BUNDLE_DIR}
internal="$bundle/_internal"
[ -d "$internal" ] || { echo "check-bundle-libs: $internal is not a PyInstaller bundle folder" >&2; exit 2; }
command -v ldd >/dev/null || { echo "check-bundle-libs: ldd is missing (package libc-bin)" >&2; exit 2; }
bundle=$(cd "$bundle" && pwd)

# Base system, allowed outside the bundle (keep in step with packaging/README.md).
allowed='^(ld-linux-x86-64\.so\.2|linux-vdso\.so\.1|lib(c|m|dl|pthread|rt|util|resolv|anl)\.so\.[0-9]+'
allowed+='|lib(GL|EGL|GLX|GLdispatch|OpenGL)\.so\.[0-9]+'
allowed+='|libstdc\+\+\.so\.6|libgcc_s\.so\.1'
allowed+='|libfontconfig\.so\.1|libfreetype\.so\.6|libexpat\.so\.1|libpng16\.so\.16|libz\.so\.1|libbrotli(dec|common)\.so\.1'
allowed+='|libX11\.so\.6|libX11-xcb\.so\.1|libxcb\.so\.1|libXau\.so\.6|libXdmcp\.so\.6|libbsd\.so\.0|libmd\.so\.0)$'

bad=0
outside=()
declare -A used=()  # bundled libraries some file of the bundle loads (ldd lists them transitively)
while IFS= read -r -d '' f; do
  # Only ELF files (skip Python sources and data that merely contain ".so" in their name).
  head -c 4 "$f" | grep -q $'\x7fELF' || continue
  out=$(LD_LIBRARY_PATH="$bundle/_internal" ldd "$f" 2>&1) || true
  while IFS= read -r line; do
    case "$line" in
      *"not found"*)
        echo "MISSING  ${f#"$bundle"/}: $(echo "$line" | awk '{print $1}') not found" >&2; bad=1 ;;
      *" => /"*)
        lib=$(echo "$line" | awk '{print $1}'); path=$(echo "$line" | awk '{print $3}')
        case "$path" in "$bundle"/*) used["$(readlink -f "$path")"]=1; continue ;; esac
        if [[ "$lib" =~ $allowed ]]; then
          outside+=("$lib")
        else
          echo "OUTSIDE  ${f#"$bundle"/}: $lib resolves to $path (not part of the base system)" >&2; bad=1
        fi ;;
    esac
  done <<< "$out"
done < <(find "$bundle" -type f \( -name '*.so' -o -name '*.so.*' -o -perm -u+x \) -print0)

# Every shared library in the bundle must be loaded by something: a library nothing needs is
# dead weight, typically left behind by a plugin or module the spec drops (it must drop the
# library too). Python extension modules and Qt plugins are loaded by name at run time; the
# bootloader loads libpython; the system's libxcb (outside) loads libXau and libXdmcp.
while IFS= read -r -d '' f; do
  head -c 4 "$f" | grep -q $'\x7fELF' || continue
  case "$(basename "$f")" in *.cpython-*.so|*.abi3.so|libpython3*|libXau.so.*|libXdmcp.so.*) continue ;; esac
  case "$f" in */plugins/*) continue ;; esac
  [ -n "${used[$(readlink -f "$f")]:-}" ] || { echo "UNUSED   ${f#"$bundle"/}: no file of the bundle loads it (leave it out in the spec)" >&2; bad=1; }
done < <(find "$bundle/_internal" -type f -name 'lib*.so*' -print0)

if [ "$bad" -ne 0 ]; then
  echo "check-bundle-libs: FAILED: libraries missing, outside the bundle or unused (see above)" >&2
  exit 1
fi
echo "check-bundle-libs: every shared object resolves inside the bundle or to the base system:"
printf '%s\n' "${outside[@]}" | sort -u | tr '\n' ' '; echo

# The oldest glibc the bundle runs on: the newest symbol version any of its files needs.
if command -v objdump >/dev/null; then
  # (objdump fails on the shell scripts among the executables: only its output counts)
  newest=$({ find "$bundle" -type f \( -name '*.so' -o -name '*.so.*' -o -perm -u+x \) -exec objdump -T {} + 2>/dev/null || true; } \
    | grep -o 'GLIBC_2\.[0-9]*' | sort -t. -k2 -n -u | tail -1)
  echo "check-bundle-libs: needs glibc >= ${newest#GLIBC_} (Debian 12: 2.36, Ubuntu 22.04: 2.35, Ubuntu 24.04: 2.39)"
fi
