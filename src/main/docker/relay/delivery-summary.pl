#!/usr/bin/perl
# The relay's delivery summary, started by entrypoint.sh: follows the Postfix log (maillog_file, written by
# postlogd) and the queue, and writes per routed domain what the operator shows on each MailRoute
# ($RELAY_STATUS_DIR/delivery, served next to /status by the status endpoint):
#   - delivery attempts in a sliding window: sent, deferred, bounced (one per recipient and attempt, from the
#     "to=<...>, ..., dsn=X.Y.Z, status=sent|deferred|bounced (reply)" lines of the delivery agents),
#   - cumulative totals since this process started (Prometheus counters),
#   - the last result with its DSN, the next hop that answered and the reply text, and when,
#   - recipients waiting in the queue (postqueue -c DIR -j, Postfix 3.1+).
# What leaves the pod: routed domains (the keys of the rendered transport map), counts, DSNs, next-hop host names
# and reply texts with every e-mail address replaced by <redacted>. Never a recipient or sender address, never a
# subject or any message content. A recipient whose domain is not routed counts under the bucket "*" (the
# default route). Only perl-base and util-linux (fallocate), both essential in every Debian image, are used: no CPAN
# module.
#
# Usage: delivery-summary.pl MAILLOG CONFIG_DIR OUTPUT_FILE
# Settings (environment): RELAY_DELIVERY_WINDOW_SECONDS (600), RELAY_DELIVERY_WRITE_SECONDS (5: the file is
# rewritten at most every second after a change, and at least this often), RELAY_QUEUE_SCAN_SECONDS (15),
# RELAY_MAILLOG_ECHO (1: copy every log line to stdout, so the container log still shows Postfix),
# RELAY_MAILLOG_MAX_BYTES (0: unbounded; otherwise the disk space of what was read is given back whenever that
# much was read since the last time).
use strict;
use warnings;
use POSIX qw(strftime);

my ($maillog, $config_dir, $output) = @ARGV;
die "usage: $0 MAILLOG CONFIG_DIR OUTPUT_FILE\n" unless defined $output;
my $window = positive('RELAY_DELIVERY_WINDOW_SECONDS', 600);
my $write_every = positive('RELAY_DELIVERY_WRITE_SECONDS', 5);
my $queue_every = positive('RELAY_QUEUE_SCAN_SECONDS', 15);
my $echo = ($ENV{RELAY_MAILLOG_ECHO} // '0') eq '1';
my $max_bytes = ($ENV{RELAY_MAILLOG_MAX_BYTES} // '0') =~ /^(\d+)$/ ? $1 : 0;
# The window is kept as buckets of $slot seconds: memory stays bounded whatever the mail volume.
my $slot = int($window / 60) || 1;
my $default_bucket = '*';
my $reply_max = 300;
$| = 1;

sub positive {
    my ($name, $default) = @_;
    my $value = $ENV{$name} // '';
    return $value =~ /^[1-9]\d{0,6}$/ ? $value : $default;
}

# --- routed domains, from the live transport map source ($config_dir/transport, rendered by the operator) ---
my (%exact, %parent, $transport_stamp);

sub load_transport {
    my $file = "$config_dir/transport";
    my @st = stat $file;
    my $stamp = @st ? "$st[1]:$st[9]:$st[7]" : 'missing';
    return if defined $transport_stamp && $stamp eq $transport_stamp;
    $transport_stamp = $stamp;
    %exact = ();
    %parent = ();
    open my $fh, '<', $file or return;
    while (my $line = <$fh>) {
        next if $line =~ /^\s*(#|$)/;
        next unless $line =~ /^(\.?)([a-z0-9.-]+)\s/i;
        if ($1 eq '.') { $parent{lc $2} = 1 } else { $exact{lc $2} = 1 }
    }
    close $fh;
}

# routed_domain(recipient domain): the routed domain whose rule Postfix applied (exact entry first, then the
# nearest ".parent" entry: transport(5) search order), or the default bucket.
sub routed_domain {
    my ($domain) = @_;
    return $default_bucket if $domain eq '';
    return $domain if $exact{$domain};
    my $rest = $domain;
    while ($rest =~ s/^[^.]*\.//) {
        return $rest if $parent{$rest};
    }
    return $default_bucket;
}

sub domain_of {
    my ($address) = @_;
    my $at = rindex $address, '@';
    return '' if $at < 0;
    my $domain = lc substr $address, $at + 1;
    $domain =~ s/\.$//;
    return $domain;
}

# redact(text): one printable line without any e-mail address, at most $reply_max characters.
sub redact {
    my ($text) = @_;
    $text =~ s/[^\x20-\x7e]/?/g;
    $text =~ s/<[^<>]*\@[^<>]*>/<redacted>/g;
    $text =~ s/[^\s<>()\[\]"',;:]+\@[^\s<>()\[\]"',;]+/<redacted>/g;
    $text = substr($text, 0, $reply_max - 3) . '...' if length $text > $reply_max;
    return $text;
}

# --- counters ---
my %buckets;   # domain -> slot number -> [sent, deferred, bounced]
my %totals;    # domain -> [sent, deferred, bounced]
my %last;      # domain -> {result, at, dsn, via, reply}
my %queued;    # domain -> recipients in the queue
my $queue_note = 'not scanned yet';
my %index = (sent => 0, deferred => 1, bounced => 2);
my $dirty = 1;

sub record {
    my ($line) = @_;
    return unless $line =~ /: [0-9A-Za-z]+: to=<([^>]*)>, (.*?)\bdsn=(\d\.\d{1,3}\.\d{1,3}), status=(sent|deferred|bounced)\b(?: \((.*)\))?\s*$/;
    my ($to, $middle, $dsn, $result, $text) = ($1, $2, $3, $4, $5 // '');
    my $via = $middle =~ /\brelay=([^,\s]+)/ ? $1 : 'none';
    my $reply = $text =~ /\bsaid: (.*)$/ ? $1 : $text;
    my $domain = routed_domain(domain_of($to));
    my $now = time;
    my $counts = ($buckets{$domain}{int($now / $slot)} //= [0, 0, 0]);
    $counts->[$index{$result}]++;
    ($totals{$domain} //= [0, 0, 0])->[$index{$result}]++;
    $last{$domain} = {result => $result, at => $now, dsn => $dsn, via => redact($via), reply => redact($reply)};
    $dirty = 1;
}

sub prune {
    my $oldest = int((time - $window) / $slot) + 1;
    for my $domain (keys %buckets) {
        for my $s (keys %{$buckets{$domain}}) {
            if ($s < $oldest) { delete $buckets{$domain}{$s}; $dirty = 1 }
        }
    }
}

sub scan_queue {
    my %found;
    my $pid = open my $fh, '-|';
    if (!defined $pid) { $queue_note = "cannot fork: $!"; return }
    if ($pid == 0) {
        open STDERR, '>', '/dev/null';
        exec 'postqueue', '-c', $config_dir, '-j' or exit 127;
    }
    while (my $line = <$fh>) {
        my ($recipients) = $line =~ /"recipients"\s*:\s*\[(.*)\]/ or next;
        while ($recipients =~ /"address"\s*:\s*"((?:[^"\\]|\\.)*)"/g) {
            $found{routed_domain(domain_of($1))}++;
        }
    }
    if (close $fh) {
        my $was = join ',', map {"$_=$queued{$_}"} sort keys %queued;
        my $now = join ',', map {"$_=$found{$_}"} sort keys %found;
        $dirty = 1 if $was ne $now || $queue_note ne '';
        %queued = %found;
        $queue_note = '';
    } else {
        $queue_note = 'postqueue failed (exit ' . ($? >> 8) . ')';
    }
}

sub iso { return strftime('%Y-%m-%dT%H:%M:%SZ', gmtime $_[0]) }

sub write_summary {
    my $tmp = "$output.tmp";
    open my $fh, '>', $tmp or return;
    print $fh "format=1\nwindow=$window\nupdated=", iso(time), "\n";
    print $fh "queue_error=$queue_note\n" if $queue_note ne '';
    my %domains = map { $_ => 1 } keys %buckets, keys %totals, keys %queued;
    for my $domain (sort keys %domains) {
        my @recent = (0, 0, 0);
        for my $counts (values %{$buckets{$domain} // {}}) { $recent[$_] += $counts->[$_] for 0 .. 2 }
        my @total = @{$totals{$domain} // [0, 0, 0]};
        my $line = "domain=$domain sent=$recent[0] deferred=$recent[1] bounced=$recent[2] queued="
            . ($queued{$domain} // 0) . " total_sent=$total[0] total_deferred=$total[1] total_bounced=$total[2]";
        if (my $l = $last{$domain}) {
            # reply= is the last key: its value runs to the end of the line
            $line .= " last=$l->{result} last_at=" . iso($l->{at}) . " dsn=$l->{dsn} via=$l->{via} reply=$l->{reply}";
        }
        print $fh "$line\n";
    }
    close $fh or return;
    rename $tmp, $output;
}

# --- follow the log like tail -F: from its end at start (older lines belong to an earlier run), from the
# beginning of a file that appears, was replaced or was emptied later ---
my ($log, $inode, $pending) = (undef, undef, '');
# Where the last release of the read part ended (see release_read_part; a failed one counts too, so that the next try
# waits for another $max_bytes), and whether the file system can punch holes (undef: not tried yet).
my ($released, $can_punch) = (0, undef);

sub open_log {
    my ($from_end) = @_;
    open my $fh, '<', $maillog or return;
    $log = $fh;
    $inode = (stat $log)[1];
    seek $log, 0, 2 if $from_end;
    ($pending, $released) = ('', 0);
}

# Gives back the disk space of what was read, so the log cannot fill the disk. The read part becomes a hole
# (fallocate(2) FALLOC_FL_PUNCH_HOLE, util-linux fallocate(1): ext4, xfs, btrfs, tmpfs and overlayfs on them): only
# bytes already read are touched, so a line that postlogd appends (O_APPEND) meanwhile is kept. Truncating instead
# would lose a line appended between the last read and the truncation. The file keeps its size and reads as zeros
# up to the first line not yet read; tail(1) and the copy on stdout (RELAY_MAILLOG_ECHO) are unaffected. Where holes
# cannot be punched, the file is emptied as before, with that race, and stderr says so once.
sub release_read_part {
    my $upto = tell $log;
    if ($can_punch // 1) {
        # through this process's open descriptor: the file read, even if $maillog was replaced meanwhile
        my $file = "/proc/$$/fd/" . fileno($log);
        if (system('fallocate', '--punch-hole', '--offset', '0', '--length', $upto, $file) == 0) {
            ($can_punch, $released) = (1, $upto);
        } elsif ($can_punch) {
            $released = $upto;    # it worked before: a passing failure, try again after the next $max_bytes
        } else {
            $can_punch = 0;
            print STDERR "delivery-summary: cannot punch holes in $maillog; emptying it instead,"
                . " a line appended while it is emptied is lost\n";
        }
        return if $can_punch;
    }
    my @st = stat $maillog;
    return unless @st && $st[1] == $inode && $st[7] == $upto && $pending eq '';
    if (open my $w, '+<', $maillog) { truncate $w, 0; close $w; seek $log, 0, 0; $released = 0 }
}

sub read_log {
    open_log(0) unless $log;
    return 0 unless $log;
    my $got = 0;
    while (defined(my $chunk = <$log>)) {
        $pending .= $chunk;
        next unless $pending =~ /\n$/;
        print $pending if $echo;
        record($pending);
        $pending = '';
        $got = 1;
    }
    seek $log, 0, 1;    # clear EOF for the next read
    my @st = stat $maillog;
    if (!@st || $st[1] != $inode) {
        undef $log;    # replaced or removed: reopen from its start
    } elsif ($st[7] < tell $log) {
        seek $log, 0, 0;    # emptied by someone else
        $released = 0;
    } elsif ($max_bytes > 0 && tell($log) - $released >= $max_bytes) {
        release_read_part();
    }
    return $got;
}

$SIG{TERM} = sub { read_log(); write_summary(); exit 0 };
load_transport();
open_log(1);
my ($last_write, $last_scan, $last_prune) = (0, 0, 0);
while (1) {
    load_transport();    # one stat: a reload with new routes is mapped from its first log line on
    my $got = read_log();
    my $now = time;
    if ($now - $last_scan >= $queue_every) {
        scan_queue();
        $last_scan = $now;
    }
    if ($now - $last_prune >= $slot) { prune(); $last_prune = $now }
    if (($dirty && $now - $last_write >= 1) || $now - $last_write >= $write_every) {
        write_summary();
        ($last_write, $dirty) = ($now, 0);
    }
    select undef, undef, undef, 0.25 unless $got;
}
