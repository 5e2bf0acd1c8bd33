#!/usr/bin/env bash
# A private Dovecot for `make bench` (the tests start theirs from tests/src/imap.rs):
# dovecot.sh DIR PORT writes DIR/dovecot.conf with one user `support` (password `bench`), starts
# Dovecot in the background, and prints its PID. Stop it with kill.
set -euo pipefail
dir="$1" port="$2"
mkdir -p "$dir/run" "$dir/state" "$dir/home"
echo "support:{PLAIN}bench" > "$dir/users"
if [ "$(id -u)" -eq 0 ]; then
  # Dovecot's own users read the configuration and the users file.
  chmod 0755 "$dir"
  chmod o+x "$(dirname "$dir")"
  internal=dovecot group=dovecot login=dovenull uid="$(id -u dovecot)" gid="$(id -g dovecot)"
  chown dovecot:dovecot "$dir/home"
else
  internal="$(id -un)" group="$(id -gn)" login="$(id -un)" uid="$(id -u)" gid="$(id -g)"
fi
cat > "$dir/dovecot.conf" <<CONF
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = $internal
default_internal_group = $group
default_login_user = $login
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/users
}
userdb {
  driver = static
  args = uid=$uid gid=$gid home=$dir/home/%u
}
mail_location = maildir:~/Maildir
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $port
  }
  inet_listener imaps {
    port = 0
  }
  chroot =
}
service anvil {
  chroot =
}
service stats {
  unix_listener stats-reader {
    mode = 0666
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
CONF
/usr/sbin/dovecot -F -c "$dir/dovecot.conf" > /dev/null 2>&1 &
echo $!
