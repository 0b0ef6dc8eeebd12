# Build the Windows installer: dist\fieldapp\ (PyInstaller, one folder) then dist\fieldapp-VERSION-setup.exe
# (Inno Setup 6). Run from the repository root in PowerShell on 64-bit Windows 10/11:
#
#   powershell -ExecutionPolicy Bypass -File packaging\build_windows.ps1
#
# Needs, once:
#   - Python 3.11 x64 from python.org (py launcher), on the oldest Windows you support (10 22H2);
#   - Inno Setup 6 (https://jrsoftware.org/isdl.php), ISCC.exe at its default place or on PATH;
#   - optional: Indonesian.isl (unofficial Inno translation) in packaging\windows\ for an Indonesian wizard.
# NOTE: written on Linux and not run there; follow README "Build the installers" when something differs.
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")

# 1. A clean build environment (never the developer's own venv: the bundle takes whatever is installed).
if (-not (Test-Path ".venv-build\Scripts\python.exe")) { py -3.11 -m venv .venv-build }
$py = Resolve-Path ".venv-build\Scripts\python.exe"
& $py -m pip install --upgrade pip
& $py -m pip install -e . pyinstaller
if ($LASTEXITCODE -ne 0) { throw "pip install failed" }
$version = (& $py -c "import fieldapp; print(fieldapp.__version__)").Trim()

# 2. The icons are committed (packaging\icons\*.png, fieldapp.ico); render.sh re-makes them on Linux.
if (-not (Test-Path "packaging\icons\fieldapp.ico")) { throw "packaging\icons\fieldapp.ico missing" }

# 3. PyInstaller: dist\fieldapp\fieldapp.exe (windowed) and fieldapp-cli.exe (console).
if (Test-Path "dist\fieldapp") { Remove-Item -Recurse -Force "dist\fieldapp" }
& $py -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build\pyinstaller packaging\fieldapp.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }

# 4. Smoke test of the bundle, headless (the same steps as packaging/smoke_test.sh).
$env:QT_QPA_PLATFORM = "offscreen"; $env:FIELDAPP_LANG = "en"
$work = Join-Path $env:TEMP ("fieldapp-smoke-" + [guid]::NewGuid())
$cli = Resolve-Path "dist\fieldapp\fieldapp-cli.exe"
function Step($name, [string[]]$cliArgs) {
    Write-Host "== $name"
    "rahasia-smoke-123" | & $cli @cliArgs
    if ($LASTEXITCODE -ne 0) { throw "SMOKE FAIL: $name exited $LASTEXITCODE" }
}
Step "--version" @("--version")
Step "init" @("init", "--data-dir", "$work", "--user", "admin", "--password-stdin")
Step "seed-demo" @("seed-demo", "--data-dir", "$work", "--participants", "1000", "--user", "admin", "--password-stdin")
$stats = ("rahasia-smoke-123" | & $cli stats --data-dir "$work" --json --user admin --password-stdin) | ConvertFrom-Json
if ($stats.participants.total -ne 1000) { throw "SMOKE FAIL: stats says $($stats.participants.total) participants" }
Step "certificates" @("certificates", "--data-dir", "$work", "--all", "--out", "$work\all.pdf", "--user", "admin", "--password-stdin")
if ((Get-Item "$work\all.pdf").Length -lt 100000) { throw "SMOKE FAIL: certificate PDF too small" }
# The windowed program on a fresh data folder must still be running after 8 s (first-run dialog waiting).
$env:FIELDAPP_DATA_DIR = Join-Path $work "fresh"
$gui = Start-Process -FilePath "dist\fieldapp\fieldapp.exe" -PassThru
Start-Sleep -Seconds 8
if ($gui.HasExited) { throw "SMOKE FAIL: fieldapp.exe exited with $($gui.ExitCode) before 8 s" }
Stop-Process -Id $gui.Id
Remove-Item Env:FIELDAPP_DATA_DIR, Env:QT_QPA_PLATFORM
Remove-Item -Recurse -Force $work
Write-Host "SMOKE OK"

# 5. Inno Setup: dist\fieldapp-VERSION-setup.exe
$iscc = (Get-Command ISCC.exe -ErrorAction SilentlyContinue).Source
if (-not $iscc) { $iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" }
if (-not (Test-Path $iscc)) { $iscc = "$env:LOCALAPPDATA\Programs\Inno Setup 6\ISCC.exe" }
if (-not (Test-Path $iscc)) { throw "ISCC.exe (Inno Setup 6) not found" }
& $iscc "/DAppVersion=$version" packaging\fieldapp.iss
if ($LASTEXITCODE -ne 0) { throw "Inno Setup failed" }

# 6. Optional: sign both programs and the installer (signtool sign /fd SHA256 /tr <timestamp-url> /td SHA256 ...).
Get-Item "dist\fieldapp-$version-setup.exe" | Format-Table Name, @{n="MB"; e={[math]::Round($_.Length / 1MB, 1)}}
