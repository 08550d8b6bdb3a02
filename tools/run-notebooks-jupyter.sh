#!/usr/bin/env bash
# Runs every notebook in notebooks/ with real Jupyter and the .NET Interactive kernel, the way users open them, and
# writes HTML exports to notebooks/executed/ (or $1; docs/notebooks/ holds the committed ones), the executed .ipynb
# files beside them. The exports share one plotly.min.js instead of carrying 3.6 MB each. Not part of CI (CI runs the
# same notebooks in-process: tests/BioXBridge.Notebooks.Tests). Needs, once (environment.md, "Jupyter with the .NET kernel"):
#   apt-get install -y --no-install-recommends jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel
#   dotnet tool install -g Microsoft.dotnet-interactive --version 1.0.712001   (+ the FSharp.Core 10.1 swap)
# The kernel is the tool started with --http-local-only (binds 127.0.0.1) through a private kernelspec, so no
# 'dotnet interactive jupyter install' is needed. Set DOTNET_INTERACTIVE to the tool's path if it is not on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
export MKL_NUM_THREADS=1   # the kernel's libtorch must start with it (environment.md, "MKL stays single-threaded")
export GLIBC_TUNABLES="${GLIBC_TUNABLES:-glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=17179869184:glibc.malloc.top_pad=268435456}"   # NativeMemory.Value (environment.md)
tool="${DOTNET_INTERACTIVE:-$(command -v dotnet-interactive || echo "$HOME/.dotnet/tools/dotnet-interactive")}"
[ -x "$tool" ] || { echo "error: dotnet-interactive not found (set DOTNET_INTERACTIVE or install the tool, see environment.md)" >&2; exit 1; }
jupyter=/usr/bin/jupyter; [ -x "$jupyter" ] || jupyter=jupyter   # a pyenv/conda jupyter may lack nbclient
out="$(realpath -m "${1:-notebooks/executed}")"
mkdir -p "$out"

dotnet build BioXBridge.sln -v quiet   # packs the library into artifacts/packages/ (the setup cell's source) and patches TorchSharp's native library
kernels=$(mktemp -d)
mkdir -p "$kernels/kernels/bioxbridge-csharp"
printf '{"argv": ["%s", "jupyter", "--default-kernel", "csharp", "--http-local-only", "{connection_file}"], "display_name": ".NET (C#)", "language": "C#"}\n' \
  "$tool" > "$kernels/kernels/bioxbridge-csharp/kernel.json"

for nb in ${NOTEBOOKS:-notebooks/*.ipynb}; do   # NOTEBOOKS="notebooks/00-*.ipynb ..." runs a subset
  name=$(basename "$nb" .ipynb)
  start=$(date +%s)
  (cd notebooks && JUPYTER_PATH="$kernels" "$jupyter" nbconvert --to notebook --execute "$name.ipynb" \
      --output "$out/$name.ipynb" \
      --ExecutePreprocessor.kernel_name=bioxbridge-csharp --ExecutePreprocessor.timeout=3600 --log-level=WARN)
  "$jupyter" nbconvert --to html "$out/$name.ipynb" --output-dir "$out" --log-level=WARN
  echo "$name: ok in $(( $(date +%s) - start )) s"
done
rm -rf "$kernels"

# the first chart of each notebook inlines plotly.js after a marker (BioXBridge.Interactive.PlotlyOffline): keep one
# copy beside the pages and load it with AMD's define hidden, as the inline copy does, for templates with requirejs;
# the template's stylesheets, the same in every page, go to one notebook-<hash>.css; the kernel's own messages name
# the package cache under this user's home, which the pages show as ~
/usr/bin/python3 - "$out" <<'PY'
import hashlib, pathlib, re, sys
out = pathlib.Path(sys.argv[1])
style = re.compile(r'<style[^>]*>(.*?)</style>', re.S)

def share_styles(html):
    head = html.index("<body")
    css = "\n".join(style.findall(html[:head]))
    if not css:
        return html
    name = f"notebook-{hashlib.sha256(css.encode()).hexdigest()[:8]}.css"
    (out / name).write_text(css, encoding="utf-8")
    blocks = list(style.finditer(html[:head]))
    kept = html[:blocks[0].start()] + f'<link rel="stylesheet" href="{name}">' + style.sub("", html[blocks[0].end():head])
    return kept + html[head:]

inline = re.compile(r'<!-- bxb:plotly\.js -->\s*<script type="text/javascript">\s*if \(!window\.Plotly\) \{ \(function \(define, exports, module\) \{\n(.*?)\n\}\)\.call\(window\); \}\s*</script>', re.S)
shared = ('<script>window.bxbDefine = window.define; window.define = undefined;</script>'
          '<script src="plotly.min.js"></script><script>window.define = window.bxbDefine;</script>')
for page in sorted(out.glob("*.html")):
    html = share_styles(page.read_text(encoding="utf-8").replace(str(pathlib.Path.home()) + "/", "~/"))
    found = inline.search(html)
    if found is None:
        page.write_text(html, encoding="utf-8")
        continue
    (out / "plotly.min.js").write_text(found.group(1), encoding="utf-8")
    page.write_text(inline.sub(lambda m: shared, html), encoding="utf-8")
    print(f"{page.name}: plotly.js moved to plotly.min.js ({page.stat().st_size / 1e6:.1f} MB left)")
PY
