#!/usr/bin/perl
# video-server-sftp-log SOCKET_LIST LOG_FILE
#
# internal-sftp runs chrooted into the user's root and logs only through syslog(3), which sends
# each line to /dev/log as seen inside the chroot (OpenSSH 9.2 and 10.0 alike; -e would send it
# to the session's stderr, which sshd discards). So this relay binds a datagram socket at
# <root>/dev/log for every root in SOCKET_LIST ("<root> <socket path>" per line, "." for the
# whole media) and appends one line per message to LOG_FILE:
#   2026-01-31T12:00:00Z <root> internal-sftp[<pid>]: <message as OpenSSH escaped it>
# The root comes from the socket the message arrived on, never from its text.
use strict;
use warnings;
use IO::Select;
use IO::Socket::UNIX;
use Socket qw(SOCK_DGRAM);

my ($list, $log) = @ARGV;
die "usage: video-server-sftp-log SOCKET_LIST LOG_FILE\n" unless defined $log;

open(my $in, '<', $list) or die "video-server-sftp-log: $list: $!\n";
my (%root_of, @sockets);
while (my $line = <$in>) {
  chomp $line;
  next if $line eq '';
  my ($root, $path) = $line =~ m{^(\S+) (/\S+)/dev/log$}
    or die "video-server-sftp-log: bad line in $list: $line\n";
  my $dev = "$path/dev";
  # A root is root's (sshd refuses any other chroot), so only root can have made its dev/: one
  # owned by anybody else is a media folder (a location's), which the socket must not take over.
  mkdir $dev, 0755 unless -e $dev;
  my @st = lstat $dev;
  die "video-server-sftp-log: $dev is not a folder of root's; SFTP keeps its log socket there\n"
    unless -d _ && $st[4] == 0;
  chmod 0755, $dev;
  unlink "$dev/log" if -S "$dev/log";
  my $socket = IO::Socket::UNIX->new(Type => SOCK_DGRAM, Local => "$dev/log")
    or die "video-server-sftp-log: cannot bind $dev/log: $!\n";
  # Sessions run as the media owner, not root.
  chmod 0666, "$dev/log";
  $root_of{ fileno($socket) } = $root;
  push @sockets, $socket;
}
close $in;

open(my $out, '>>', $log) or die "video-server-sftp-log: $log: $!\n";
my $select = IO::Select->new(@sockets);
$SIG{TERM} = sub { exit 0 };

while (1) {
  for my $socket ($select->can_read) {
    defined $socket->recv(my $datagram, 4096) or next;
    # glibc's syslog(3) header: <priority>Mmm dd hh:mm:ss (local time, no year); ours replaces it.
    $datagram =~ s/^<\d{1,3}>(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d )?//;
    $datagram =~ s/[^\x20-\x7e]/?/g;
    my @t = gmtime;
    my $time = sprintf('%04d-%02d-%02dT%02d:%02d:%02dZ', $t[5] + 1900, $t[4] + 1, @t[3, 2, 1, 0]);
    # One write per line: with O_APPEND it lands whole even while the log is emptied in place.
    syswrite $out, "$time $root_of{fileno($socket)} $datagram\n";
  }
}
