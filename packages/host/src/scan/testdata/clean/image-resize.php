<?php
// Resizes an uploaded image with ImageMagick, the file name quoted for the shell.
if (isset($_FILES['img']) && is_uploaded_file($_FILES['img']['tmp_name'])) {
    $dest = __DIR__ . '/thumbs/' . bin2hex(random_bytes(8)) . '.png';
    exec('convert ' . escapeshellarg($_FILES['img']['tmp_name']) . ' -resize 100x100 ' . escapeshellarg($dest));
}
