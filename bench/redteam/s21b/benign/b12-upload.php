<?php
$f = $_FILES['avatar'];
$tmp = $f['tmp_name'];
$ext = strtolower(pathinfo($f['name'], PATHINFO_EXTENSION));
if (!in_array($ext, ['jpg', 'png', 'gif'], true) || !getimagesize($tmp)) die('not an image');
move_uploaded_file($tmp, __DIR__ . '/uploads/' . bin2hex(random_bytes(8)) . '.' . $ext);
echo 'ok';
