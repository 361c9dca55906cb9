#!/bin/bash
# Builds sekvm's bundled default guest (Debian kernel + busybox initramfs) from Debian packages.
#
# usage: build-guest.sh OUTDIR [CACHEDIR]
#   OUTDIR/kernel             amd64: the uncompressed PVH vmlinux; arm64: the Image
#   OUTDIR/initramfs.cpio.gz  busybox, /init and the power-button modules
# CACHEDIR (default OUTDIR/.cache) keeps the downloaded .debs; a rebuild reuses them when their
# SHA256 still matches the archive's. Needs no root. SEKVM_GUEST_ARCH=arm64 cross-builds (the
# foreign architecture must be added to dpkg first); the default is the host's architecture.
# SEKVM_GUEST_ROOTFS=DIR takes the initramfs's own files (its /init first) from DIR instead of
# rootfs/ beside this script (the linux-host tests boot the same kernel with their own /init).
# SEKVM_GUEST_FILES="SRC:DEST ..." adds built files to the initramfs. SEKVM_GUEST_KSERV=DIR
# builds the kernel module in DIR (its Kbuild; -I the protocols/ directory) against the same
# kernel's Debian headers (cross-built with <arch>-linux-gnu-gcc and the build machine's
# linux-kbuild) and puts it at /lib/kserv/kserv.ko; OUTDIR/kserv.ko is a copy.
set -euo pipefail

prog=build-guest.sh
die() {
	echo "$prog: error: $*" >&2
	exit 1
}

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $prog OUTDIR [CACHEDIR]" >&2
	exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$1" || die "cannot create the output directory $1"
outdir=$(cd "$1" && pwd)
cachedir=${2:-$outdir/.cache}
mkdir -p "$cachedir" || die "cannot create the cache directory $cachedir"
cachedir=$(cd "$cachedir" && pwd)

for tool in apt-get apt-cache dpkg dpkg-deb python3 sha256sum; do
	command -v "$tool" >/dev/null ||
		die "'$tool' not found; the guest is built from Debian packages with apt, dpkg and python3"
done

arch=${SEKVM_GUEST_ARCH:-$(dpkg --print-architecture)}
declare -A triplet=([amd64]=x86_64-linux-gnu [arm64]=aarch64-linux-gnu)
# The modules that turn the power button into an input event for acpid (built-in ones are skipped).
case $arch in
amd64) modules=(button evdev) ;;               # ACPI power button (LNXPWRBN)
arm64) modules=(gpio_pl061 gpio_keys evdev) ;; # virt's power button: PL061 GPIO + gpio-keys
*) die "unsupported architecture '$arch' (amd64 and arm64 are supported)" ;;
esac
qual=""
[ "$arch" = "$(dpkg --print-architecture)" ] || qual=":$arch"

apt_opts=(-q)
# As root, apt would drop to the _apt user, which cannot write into our private directories.
[ "$(id -u)" -ne 0 ] || apt_opts+=(-o APT::Sandbox::User=root)

work=$(mktemp -d "$outdir/.build.XXXXXX")
download=""
trap 'rm -rf "$work" ${download:+"$download"}' EXIT
trap 'exit 130' INT TERM HUP

# Set $fetched to the cached path of PKG's candidate .deb, downloading it unless the cache holds it.
fetch_deb() {
	local pkg=$1 line uri file size hash
	line=$(apt-get "${apt_opts[@]}" download --print-uris "$pkg") ||
		die "apt cannot find $pkg; run 'apt-get update'"
	read -r uri file size hash <<<"$line"
	if [ -z "$file" ] || [ "${hash%%:*}" != SHA256 ]; then
		die "unexpected 'apt-get download --print-uris $pkg' output: $line"
	fi
	hash=${hash#SHA256:}
	fetched=$cachedir/$file
	if [ -f "$fetched" ] && echo "$hash  $fetched" | sha256sum -c --status; then
		echo "$prog: using cached $file"
		return
	fi
	echo "$prog: downloading $file ($size bytes) from $uri"
	# Download next to the cache and rename, so a partial .deb never carries the final name.
	download=$(mktemp -d "$cachedir/.download.XXXXXX")
	(cd "$download" && apt-get "${apt_opts[@]}" download "$pkg") ||
		die "'apt-get download $pkg' failed"
	echo "$hash  $download/$file" | sha256sum -c --status ||
		die "$file does not match the SHA256 that apt announced"
	mv -f "$download/$file" "$fetched"
	rm -rf "$download"
	download=""
}

# The meta package names the current kernel ABI, which moves with Debian point releases.
foreign_hint=""
[ -z "$qual" ] || foreign_hint=" (after 'dpkg --add-architecture $arch')"
deps=$(apt-cache depends "linux-image-$arch$qual" 2>/dev/null) ||
	die "apt-cache knows no linux-image-$arch$qual; run 'apt-get update'$foreign_hint"
kpkg=$(awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { sub(/:.*/, "", $2); print $2; exit }' \
	<<<"$deps")
[ -n "$kpkg" ] || die "cannot find the kernel package in 'apt-cache depends linux-image-$arch$qual'"
kver=${kpkg#linux-image-}
echo "$prog: guest kernel $kver ($arch)"

fetch_deb "$kpkg$qual"
kdeb=$fetched
fetch_deb "busybox-static$qual"
bbdeb=$fetched

dpkg-deb -x "$kdeb" "$work/kernel-pkg" || die "cannot unpack $kdeb"
dpkg-deb -x "$bbdeb" "$work/busybox-pkg" || die "cannot unpack $bbdeb"
vmlinuz=$work/kernel-pkg/boot/vmlinuz-$kver
[ -f "$vmlinuz" ] || die "$kdeb has no boot/vmlinuz-$kver"
[ -f "$work/busybox-pkg/bin/busybox" ] || die "$bbdeb has no bin/busybox"

stage=$work/root
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,run,tmp,root,lib/modules}
rootfs=${SEKVM_GUEST_ROOTFS:-$here/rootfs}
[ -x "$rootfs/init" ] || die "$rootfs/init is missing or not executable"
cp -R "$rootfs/." "$stage/"
chmod 1777 "$stage/tmp"
for spec in ${SEKVM_GUEST_FILES:-}; do
	src=${spec%%:*} dest=${spec#*:}
	[ -f "$src" ] && [ -n "$dest" ] && [ "$dest" != "$spec" ] || die "bad SEKVM_GUEST_FILES entry '$spec'"
	mkdir -p "$stage/$(dirname "$dest")"
	cp "$src" "$stage/$dest"
done

# The module: Debian's headers for this kernel (for the guest architecture; their Makefile points
# at the -common package) and the build machine's own kbuild tools, all unpacked, none installed.
if [ -n "${SEKVM_GUEST_KSERV:-}" ]; then
	hdeps=$(apt-cache depends "linux-headers-$kver$qual") ||
		die "apt-cache knows no linux-headers-$kver$qual; run 'apt-get update'"
	kbuild=$(awk '$1 == "Depends:" && $2 ~ /^linux-kbuild-/ { sub(/:.*/, "", $2); print $2; exit }' <<<"$hdeps")
	[ -n "$kbuild" ] || die "cannot find the kbuild package of linux-headers-$kver"
	for pkg in "linux-headers-$kver$qual" "linux-headers-${kver%-*}-common" "$kbuild"; do
		fetch_deb "$pkg"
		dpkg-deb -x "$fetched" "$work/headers" || die "cannot unpack $fetched"
	done
	hdir=$work/headers/usr/src/linux-headers-$kver
	sed -i "s|^include /usr/src/|include $work/headers/usr/src/|" "$hdir/Makefile"
	mkdir -p "$work/kserv"
	cp "$SEKVM_GUEST_KSERV"/*.c "$SEKVM_GUEST_KSERV/Kbuild" "$work/kserv/"
	cross=""
	[ -z "$qual" ] || cross=${triplet[$arch]}-
	command -v "${cross}gcc" >/dev/null || die "'${cross}gcc' not found (the cross compiler)"
	make -s -C "$hdir" M="$work/kserv" ARCH="${arch/amd64/x86}" CROSS_COMPILE="$cross" \
		KSERV_PROTOCOLS="$(cd "$here/../../protocols" && pwd)" W=1 modules ||
		die "building the kserv module against linux-headers-$kver failed"
	mkdir -p "$stage/lib/kserv"
	cp "$work/kserv/kserv.ko" "$stage/lib/kserv/kserv.ko"
	cp "$work/kserv/kserv.ko" "$work/kserv.ko"
fi
cp "$work/busybox-pkg/bin/busybox" "$stage/bin/busybox"
python3 "$here/guestimg.py" modules "$work/kernel-pkg" "$kver" "$stage" "${modules[@]}"
# The kernel opens /dev/console before /init runs; without the node /init would have no output.
python3 "$here/guestimg.py" cpio --device dev/console:c:5:1:600 --device dev/null:c:1:3:666 \
	"$stage" "$work/initramfs.cpio.gz"

case $arch in
amd64) python3 "$here/guestimg.py" vmlinux "$vmlinuz" "$work/kernel" ;;
arm64) cp "$vmlinuz" "$work/kernel" ;; # Debian's arm64 vmlinuz is already an uncompressed Image
esac

# Rename into place only when complete, so an interrupted build never leaves a file that looks done.
mv -f "$work/initramfs.cpio.gz" "$outdir/initramfs.cpio.gz"
mv -f "$work/kernel" "$outdir/kernel"
[ ! -f "$work/kserv.ko" ] || mv -f "$work/kserv.ko" "$outdir/kserv.ko"
echo "$prog: wrote $outdir/kernel ($(stat -c %s "$outdir/kernel") bytes)," \
	"$outdir/initramfs.cpio.gz ($(stat -c %s "$outdir/initramfs.cpio.gz") bytes)"
