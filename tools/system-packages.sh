#!/usr/bin/env bash
# The system packages of system-packages.txt, for the Makefile, .ci/run and the Dockerfile.
#
#   tools/system-packages.sh check   SCOPE...  report the missing packages with the command that
#                                              installs them (exit 1); install nothing
#   tools/system-packages.sh install SCOPE...  install the missing packages with apt-get when run as
#                                              root (apt-get update first); otherwise stop as check
#   tools/system-packages.sh list    SCOPE...  print the packages, one a line
#   tools/system-packages.sh cjk-font          stop unless fontconfig knows a Chinese font
#
# SCOPE is run, test, browser or ci (see system-packages.txt). Without dpkg (not Debian or Ubuntu)
# the packages cannot be checked: both modes say in plain words what is needed and carry on (exit 0);
# `make run` then relies on `cjk-font`, since missing fonts are the one silent failure (tofu).
# Environment: SYSTEM_PACKAGES_FILE (another list, for the tests), SYSTEM_PACKAGES_DRY_RUN=1
# (install simulates with `apt-get -s` and skips `apt-get update`).
# Bash built-ins only apart from dpkg-query, apt-get and fc-list, so it runs with a bare PATH.
set -euo pipefail

root=$(cd "${BASH_SOURCE[0]%/*}/.." && pwd)
list_file=${SYSTEM_PACKAGES_FILE:-$root/system-packages.txt}
known_scopes=" run test browser ci "

usage() {
  echo "usage: ${0##*/} check|install|list SCOPE... (SCOPE: run test browser ci) | cjk-font" >&2
  exit 2
}

cjk_font() {
  if ! command -v fc-list >/dev/null 2>&1; then
    echo "找不到 fc-list（fontconfig），无法确认是否装有中文字体。" >&2
    echo "请安装 fontconfig 和中文字体（Debian/Ubuntu：apt-get install fontconfig fonts-noto-cjk）。" >&2
    exit 1
  fi
  local fonts
  fonts=$(fc-list :lang=zh family)
  if [ -z "$fonts" ]; then
    echo "没有安装中文字体：生成的 PDF 中汉字会显示为方框（豆腐块）。" >&2
    echo "请安装 Noto CJK 字体（Debian/Ubuntu：sudo apt-get install -y fonts-noto-cjk fonts-hanazono；" >&2
    echo "其他系统：用系统的包管理器安装 Noto Serif CJK SC 和 Noto Sans CJK SC）。" >&2
    exit 1
  fi
  local line first=${fonts%%$'\n'*}
  while IFS= read -r line; do
    if [[ $line == *" SC"* ]]; then first=$line; break; fi
  done <<<"$fonts"
  echo "中文字体：$first"
}

mode=${1:-}
[ $# -gt 0 ] && shift
case $mode in
  cjk-font) [ $# -eq 0 ] || usage; cjk_font; exit 0 ;;
  check | install | list) [ $# -gt 0 ] || usage ;;
  *) usage ;;
esac
for scope in "$@"; do
  [[ $known_scopes == *" $scope "* ]] || { echo "unknown scope: $scope" >&2; usage; }
done
wanted=" $* "

if [ ! -r "$list_file" ]; then
  echo "cannot read $list_file" >&2
  exit 2
fi

packages=()
reasons=()
number=0
while IFS= read -r line || [ -n "$line" ]; do
  number=$((number + 1))
  reason=""
  if [[ $line == *"#"* ]]; then
    reason=${line#*#}
    reason=${reason# }
    line=${line%%#*}
  fi
  read -r package scope rest <<<"$line" || true
  [ -n "${package:-}" ] || continue
  if [ -z "${scope:-}" ] || [ -n "${rest:-}" ] || [[ $known_scopes != *" $scope "* ]]; then
    echo "$list_file:$number: expected '<package> <scope>  # why', scope one of:$known_scopes" >&2
    exit 2
  fi
  if [[ $wanted == *" $scope "* ]]; then
    packages+=("$package")
    reasons+=("$reason")
  fi
done <"$list_file"

if [ "$mode" = list ]; then
  [ ${#packages[@]} -eq 0 ] || printf '%s\n' "${packages[@]}"
  exit 0
fi

describe() { # the packages whose indexes are given, with why
  local index
  for index in "$@"; do
    printf '  %-20s %s\n' "${packages[index]}" "${reasons[index]}" >&2
  done
}

all=()
for index in "${!packages[@]}"; do all+=("$index"); done

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "这台机器没有 dpkg（不是 Debian/Ubuntu），无法检查系统软件包。" >&2
  echo "需要以下软件（Debian 包名；请用本系统的包管理器安装对应的软件）：" >&2
  [ ${#all[@]} -eq 0 ] || describe "${all[@]}"
  echo "继续执行；缺少的软件会让相关功能或测试报错。" >&2
  exit 0
fi

installed() {
  local status
  status=$(dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null) || return 1
  [[ $status == *"install ok installed"* ]]
}

missing=()
missing_indexes=()
for index in "${!packages[@]}"; do
  if ! installed "${packages[index]}"; then
    missing+=("${packages[index]}")
    missing_indexes+=("$index")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

install_args=(install -y --no-install-recommends "${missing[@]}")
echo "缺少系统软件包（system packages missing）：" >&2
describe "${missing_indexes[@]}"

if [ "$mode" = install ] && [ "$EUID" -eq 0 ]; then
  if [ "${SYSTEM_PACKAGES_DRY_RUN:-}" = 1 ]; then
    echo "以 root 运行，将执行（dry run: apt-get -s，不安装）：" >&2
    echo "  apt-get update && apt-get ${install_args[*]}" >&2
    apt-get -s "${install_args[@]}"
    exit 0
  fi
  echo "以 root 运行，正在安装：apt-get update && apt-get ${install_args[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -qq "${install_args[@]}"
  for package in "${missing[@]}"; do
    installed "$package" || { echo "安装后仍缺少 $package" >&2; exit 1; }
  done
  exit 0
fi

sudo=""
[ "$EUID" -eq 0 ] || sudo="sudo "
echo "请先安装，再重新运行：" >&2
echo "  ${sudo}apt-get update && ${sudo}apt-get ${install_args[*]}" >&2
exit 1
