#!/usr/bin/env bash
# Bootstrap for a machine without pwsh: restore the pinned PowerShell .NET tool, then run build.ps1.
#   ./build.sh build|test|demo|bench
set -euo pipefail
cd "$(dirname "$0")"
task="${1:-build}"
case "$task" in
    build) ps_task=Build ;;
    test) ps_task=Test ;;
    demo) ps_task=Demo ;;
    bench) ps_task=Bench ;;
    *) echo "usage: $0 build|test|demo|bench" >&2; exit 2 ;;
esac
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet tool restore >/dev/null
exec dotnet pwsh -NoProfile -NonInteractive -File ./build.ps1 -Task "$ps_task"
