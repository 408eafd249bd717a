#!/usr/bin/env bash
# The packages as a user gets them. Packs Pipelines.sln into a temp folder, checks that exactly the runtime/*
# projects became packages and what each contains, then builds a consumer project made from tests/PackageConsumer
# outside the repository against those packages only: warnings are errors except the one expected PIPE101, which
# must be reported exactly once; the generated Compile… must be in the compiler-generated files; the program's
# output must equal tests/PackageConsumer/expected-output.txt. Called by .ci/run; runs alone too.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
template="$repo/tests/PackageConsumer"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 MSBUILDDISABLENODEREUSE=1

work=$(mktemp -d "${TMPDIR:-/tmp}/pipelines-package-XXXXXX")
trap 'rm -rf "$work"' EXIT
packages="$work/packages"
started=$SECONDS

fail() { echo "package-consumer: $*" >&2; exit 1; }

# 1. Pack. A version no cache can hold yet (0.1.0-ci.<time>), deterministic CI paths in the PDBs (CI=true).
suffix="ci.$(date -u +%Y%m%d%H%M%S)"
echo "package-consumer: dotnet pack Pipelines.sln -c Release (version suffix $suffix)"
# Build first, then pack what was built: packing the solution while it builds lets a project that several others
# reference be packed while another reference rebuilds it (a .snupkg without its .pdb, seen once).
CI=true dotnet build "$repo/Pipelines.sln" -c Release -p:VersionSuffix="$suffix" \
  -nologo -v q -nodeReuse:false -p:UseSharedCompilation=false > "$work/pack.log" 2>&1 \
  || { cat "$work/pack.log"; fail "dotnet build -c Release failed"; }
CI=true dotnet pack "$repo/Pipelines.sln" -c Release --no-build -o "$packages" -p:VersionSuffix="$suffix" \
  -nologo -v q -nodeReuse:false >> "$work/pack.log" 2>&1 \
  || { cat "$work/pack.log"; fail "dotnet pack failed"; }

# 2. Exactly one package per runtime/* project, nothing else (no generator, analyzer, test, benchmark or sample package).
expected=$(for p in "$repo"/runtime/*/*.csproj; do basename "$p" .csproj; done | sort)
actual=$(for p in "$packages"/*.nupkg; do basename "$p" | sed -E 's/\.[0-9]+\.[0-9]+\.[0-9]+(-[^.]+(\.[^.]+)*)?\.nupkg$//'; done | sort)
[ "$expected" = "$actual" ] || fail "packages differ from runtime/* projects: expected [$(echo $expected)], got [$(echo $actual)]"
version=$(basename "$(ls "$packages"/Pipelines.[0-9]*.nupkg)" .nupkg); version=${version#Pipelines.}

# 3. Layout of each package (unzip -l listings: docs/packaging.md).
for id in $expected; do
  nupkg="$packages/$id.$version.nupkg"
  [ -f "$packages/$id.$version.snupkg" ] || fail "$id: no .snupkg"
  files=$(unzip -Z1 "$nupkg")
  for f in README.md LICENSE icon.png "lib/net10.0/$id.dll" "lib/net10.0/$id.xml"; do
    grep -qx "$f" <<<"$files" || fail "$id: $f missing from the package"
  done
  if grep -iE '(\.tests?|\.benchmarks?|faultapp|xunit[^/]*|testhost|wordcount|samples?[^/]*)\.dll$' <<<"$files"; then fail "$id: test, benchmark or sample assemblies in the package"; fi
  if grep -E '^lib/.*(Generators|Analyzers)' <<<"$files"; then fail "$id: a generator or analyzer assembly under lib/"; fi
  if ! unzip -Z1 "$packages/$id.$version.snupkg" | grep -qx "lib/net10.0/$id.pdb"; then
    # The solution-wide pack has left a .pdb out of one .snupkg twice in many runs, although the file was built
    # (a race in the parallel pack, not in the project): pack that project alone once more before failing.
    echo "package-consumer: $id: lib/net10.0/$id.pdb missing from the .snupkg; packing $id alone again"
    CI=true dotnet pack "$repo/runtime/$id/$id.csproj" -c Release --no-build -o "$packages" -p:VersionSuffix="$suffix" \
      -nologo -v q -nodeReuse:false >> "$work/pack.log" 2>&1 || { cat "$work/pack.log"; fail "dotnet pack of $id failed"; }
    unzip -Z1 "$packages/$id.$version.snupkg" | grep -qx "lib/net10.0/$id.pdb" || fail "$id: lib/net10.0/$id.pdb missing from the .snupkg"
  fi
  nuspec=$(unzip -p "$nupkg" "$id.nuspec")
  for element in '<license type="expression">MIT</license>' '<readme>README.md</readme>' '<icon>icon.png</icon>' '<repository type="git" url="' '<projectUrl>' '<tags>' '<description>'; do
    grep -qF "$element" <<<"$nuspec" || fail "$id: the nuspec has no $element"
  done
done
pipelines_files=$(unzip -Z1 "$packages/Pipelines.$version.nupkg")
for f in analyzers/dotnet/cs/Pipelines.Generators.dll analyzers/dotnet/cs/Pipelines.Analyzers.dll analyzers/dotnet/cs/Pipelines.Analyzers.CodeFixes.dll; do
  grep -qx "$f" <<<"$pipelines_files" || fail "Pipelines: $f missing from the package"
done
echo "package-consumer: packed in $((SECONDS - started)) s"
echo "package-consumer: packages [$(echo $expected)] at $version: layout ok"

# 4. A consumer project outside the repository, from the template; Pipelines only from $packages, an empty cache.
consumer="$work/consumer"
mkdir -p "$consumer" "$work/nuget-cache"
machine_cache=$(dotnet nuget locals global-packages --list | sed -E 's/^global-packages: //')
mkdir -p "$machine_cache"
sed "s|@PIPELINES_VERSION@|$version|" "$template/Consumer.csproj.template" > "$consumer/Consumer.csproj"
sed -e "s|@PACKAGE_FOLDER@|$packages|" -e "s|@FALLBACK_FOLDER@|$machine_cache|" "$template/nuget.config.template" > "$consumer/nuget.config"
cp "$template/Program.cs" "$consumer/Program.cs"

export NUGET_PACKAGES="$work/nuget-cache"
# The compiler's SARIF log lists each reported diagnostic once (the console log repeats warnings in its summary).
(cd "$consumer" && dotnet build -c Release -nologo -v q -nodeReuse:false -p:UseSharedCompilation=false -p:ErrorLog="$work/diagnostics.sarif") > "$work/build.log" 2>&1 \
  || { cat "$work/build.log"; fail "the consumer project does not build"; }
[ -d "$NUGET_PACKAGES/pipelines/$version" ] || fail "Pipelines $version was not restored into the empty cache"

# 5. The expected diagnostic, exactly once (the generator and its analyzer must not both report it), with its help link.
help_base=$(cd "$repo" && dotnet msbuild runtime/Pipelines -getProperty:PipelinesHelpLinkBase)
pipe101=$(grep -c '"ruleId": "PIPE101"' "$work/diagnostics.sarif" || true)
[ "$pipe101" -eq 1 ] || { cat "$work/diagnostics.sarif"; fail "expected PIPE101 once in the compiler's diagnostics, got $pipe101"; }
grep 'warning PIPE101' "$work/build.log" | grep -q "Program.cs" || fail "PIPE101 is not reported in Program.cs"
grep -qF "${help_base}PIPE101.md" "$work/build.log" || { cat "$work/build.log"; fail "PIPE101's help link is not ${help_base}PIPE101.md"; }
if grep -E 'warning (CS|PIPE0|PIPE102|NU|IL)' "$work/build.log"; then fail "unexpected warnings"; fi

# 6. The generated Compile… methods, in the compiler-generated files.
generated=$(find "$consumer/obj/generated" -name '*.g.cs' -path '*Pipelines.Generators*')
[ -n "$generated" ] || fail "no generated source under obj/generated"
grep -q 'public static .*DStream<(string Word, int Count)> Compile(' $generated || fail "WordCount.Compile not generated: $generated"
grep -q 'CompileTrimmed(' $generated || fail "WordCount.CompileTrimmed not generated"

# 7. Run it; its output must be exactly the expected one.
dotnet "$consumer/bin/Release/net10.0/Consumer.dll" > "$work/output.txt" || fail "the consumer program failed"
diff -u "$template/expected-output.txt" "$work/output.txt" || fail "the consumer program's output differs from tests/PackageConsumer/expected-output.txt"

echo "package-consumer: consumer built (PIPE101 reported once), Compile… generated, output as expected ($((SECONDS - started)) s)"
