#!/usr/bin/perl
# relay-install.pl CANDIDATE LIVE FILE...: the install step of relay-config.sh (relay_install), in one process (each
# command the shell starts costs 5-15 ms on a busy 2-core machine; cmp, cp, sync and mv per file added up to a third
# of a route change). Needs only perl-base, which is essential in Debian images.
#
# Puts the validated candidate into LIVE in two phases. First every FILE that differs from the live one is copied
# next to its target as .FILE.new (mode, owner and times kept, like cp -p: Postfix trusts a configuration file only
# once it is over a second old, and the candidate's files are dated back), written to the disk (fsync: late write
# errors such as a full volume show here) and read back: the copy must equal the candidate. Only when all copies
# are complete is each one renamed over its target, in the order given (maps first, main.cf last). Postfix daemons
# reopen a changed .lmdb map on their own, without a reload, so a half-written map must never be renamed into place.
#
# Prints the names of the files it replaced, one per line. On failure the last line printed is the reason and the
# exit status is 1 (nothing was renamed; the temporary copies are removed) or 2 (a rename failed half-way: the files
# named before that line were replaced, the others were not).
use strict;
use warnings;
use Fcntl qw(O_WRONLY O_CREAT O_TRUNC);
use IO::Handle;

my $CHUNK = 1 << 20;
my ($cand, $live, @files) = @ARGV;
die "usage: relay-install.pl CANDIDATE LIVE FILE...\n" unless defined $live && @files;

# same(A, B): true when both files exist and hold the same bytes
sub same {
    my ($a, $b) = @_;
    my @sa = stat $a or return 0;
    my @sb = stat $b or return 0;
    return 0 if $sa[7] != $sb[7];
    open(my $fa, '<:raw', $a) or return 0;
    open(my $fb, '<:raw', $b) or return 0;
    while (1) {
        my $na = read($fa, my $ba, $CHUNK);
        my $nb = read($fb, my $bb, $CHUNK);
        return 0 if !defined $na || !defined $nb || $na != $nb || $ba ne $bb;
        return 1 if $na == 0;
    }
}

# copy(FROM, TO): TO gets FROM's bytes, mode, owner and times and is on the disk; the error text on failure
sub copy {
    my ($from, $to) = @_;
    my @st = stat $from or return "$from: $!";
    open(my $in, '<:raw', $from) or return "$from: $!";
    sysopen(my $out, $to, O_WRONLY | O_CREAT | O_TRUNC, 0600) or return "$to: $!";
    binmode $out;
    while (1) {
        my $n = sysread($in, my $buf, $CHUNK);
        return "$from: $!" unless defined $n;
        last if $n == 0;
        my $off = 0;
        while ($off < $n) {
            my $w = syswrite($out, $buf, $n - $off, $off);
            return "$to: $!" unless defined $w;
            $off += $w;
        }
    }
    $out->sync or return "$to: $!";
    close $out or return "$to: $!";
    chown $st[4], $st[5], $to or return "$to: $!";
    chmod $st[2] & 07777, $to or return "$to: $!";
    utime $st[8], $st[9], $to or return "$to: $!";
    return '';
}

my @changed = grep { !same("$cand/$_", "$live/$_") } @files;
exit 0 unless @changed;

sub discard { unlink map { "$live/.$_.new" } @changed }

sub fail {
    my ($status, $reason) = @_;
    discard();
    $reason =~ s/\n/ /g;
    print "$reason\n";
    exit $status;
}

for my $f (@changed) {
    my $error = copy("$cand/$f", "$live/.$f.new");
    fail(1, "cannot copy $f into $live: $error") if $error ne '';
}
for my $f (@changed) {
    fail(1, "the copy of $f in $live differs from the validated file") unless same("$cand/$f", "$live/.$f.new");
}
# rename(2) in one directory needs no space; should it still fail, say exactly what is live.
for my $f (@changed) {
    rename("$live/.$f.new", "$live/$f")
        or fail(2, "installed only partly, $f and later files were not replaced: $!");
    print "$f\n";
}
exit 0;
