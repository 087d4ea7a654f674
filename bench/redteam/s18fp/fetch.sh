#!/bin/sh
# Download and unpack the Debian packages scanned (PKGROOT/x/<pkg>, PKGROOT/x2/<pkg>) and link the six CI ones.
R=${1:-/work/fp18pk}; mkdir -p $R/deb $R/x $R/x2; cd $R/deb
L1="adminer cacti composer gosa icingaweb2 libphp-phpmailer php-codesniffer php-doctrine-dbal php-doctrine-orm php-dompdf php-geshi php-getid3 php-guzzlehttp-guzzle php-guzzlehttp-psr7 php-horde php-horde-core php-horde-imap-client php-horde-imp php-horde-kronolith php-horde-mime php-horde-util php-htmlpurifier php-illuminate-support php-league-commonmark php-league-flysystem php-mockery php-monolog php-nette-utils php-parser php-pclzip php-pear php-php-gettext php-phpdocumentor-reflection-docblock php-phpmyadmin-sql-parser php-phpseclib php-phpstan-phpdoc-parser php-psr-log php-ramsey-uuid php-sabre-dav php-sabre-vobject php-symfony-console php-symfony-error-handler php-symfony-finder php-symfony-http-foundation php-symfony-http-kernel php-symfony-process php-symfony-routing php-symfony-serializer php-symfony-var-dumper php-symfony-yaml php-tcpdf php-twig phpldapadmin phpunit postfixadmin smarty3 tt-rss zabbix-frontend-php"
L2="php-cas php-font-lib php-horde-gollem php-horde-ingo php-horde-nag php-horde-passwd php-horde-turba php-horde-whups php-horde-wicked php-letodms-core php-net-ldap2 php-phar-io-manifest php-text-template php-webmozart-assert php-zend-code php-symfony-dependency-injection php-symfony-form php-symfony-validator"
apt-get download $L1 $L2
for n in $L1; do mkdir -p $R/x/$n; dpkg-deb -x ${n}_*.deb $R/x/$n; done
for n in $L2; do mkdir -p $R/x2/$n; dpkg-deb -x ${n}_*.deb $R/x2/$n; done
for c in dokuwiki mediawiki php-laravel-framework phpmyadmin roundcube-core wordpress; do ln -sfn /var/cache/mamori-ci/$c $R/x/ci-$c; done
