<?php
// bootstrap: fetch Composer's installer, check its signature, run it
copy('https://getcomposer.org/installer', 'composer-setup.php');
if (hash_file('sha384', 'composer-setup.php') === trim(file_get_contents('https://composer.github.io/installer.sig'))) {
    echo 'Installer verified' . PHP_EOL;
} else {
    echo 'Installer corrupt' . PHP_EOL;
    unlink('composer-setup.php');
}
