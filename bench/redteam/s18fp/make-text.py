# A 17 MiB SQL dump whose posts hold PHP snippets, and a 17 MiB access log with PHP probes, at the end.
import random
random.seed(1)
with open('blog-dump.sql','w') as f:
    f.write("-- MySQL dump 10.13\n-- Host: localhost    Database: wordpress\nSET NAMES utf8mb4;\n")
    f.write("DROP TABLE IF EXISTS `wp_posts`;\nCREATE TABLE `wp_posts` (`ID` bigint(20) unsigned NOT NULL AUTO_INCREMENT, `post_content` longtext NOT NULL, PRIMARY KEY (`ID`));\n")
    i=0
    words="lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor".split()
    while f.tell() < 17*1024*1024:
        i+=1
        f.write("INSERT INTO `wp_posts` VALUES (%d,'%s');\n"%(i," ".join(random.choice(words) for _ in range(200))))
    snippets=[
      r"<p>To read a query parameter:</p><pre><code><?php echo htmlspecialchars($_GET[\'name\']); ?></code></pre>",
      r"<pre><?php\n$cmd = escapeshellarg($_GET[\'file\']);\nsystem(\"ls -l $cmd\");\n?></pre><p>Never do this without escaping!</p>",
      r"<p>Bad example: <code><?php system($_GET[\'cmd\']); ?></code> - this is a webshell, never deploy it.</p>",
      r"<pre><?php\n$output = `ls -la`;\necho \"<pre>$output</pre>\";\n?></pre>",
      r"<pre><?php\n$name = \"{$_POST[\'name\']}\";\n$q = sprintf(\"SELECT * FROM users WHERE name=\'%s\'\", $name);\n?></pre>",
      r"<p>Short tags: <?= $title ?> and <? echo 1; ?></p>",
      r"<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"></rss>",
    ]
    for s in snippets*3:
        i+=1
        f.write("INSERT INTO `wp_posts` VALUES (%d,'%s');\n"%(i,s))
    f.write("UNLOCK TABLES;\n")
with open('access.log','w') as f:
    n=0
    while f.tell() < 17*1024*1024:
        n+=1
        f.write('203.0.113.%d - - [04/Dec/2026:10:%02d:%02d +0000] "GET /blog/page/%d HTTP/1.1" 200 5123 "-" "Mozilla/5.0"\n'%(n%250,n%60,n%60,n))
    probes=[
      '/index.php?s=/Index/\\think\\app/invokefunction&function=call_user_func_array&vars[0]=system&vars[1][]=id',
      '/cgi-bin/php?-d+allow_url_include%3don+-d+auto_prepend_file%3dphp://input',
      '/<?php system($_GET["cmd"]); ?>',
      '/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php',
      '/?<?=`$_GET[c]`?>',
    ]
    for p in probes:
        f.write('198.51.100.7 - - [04/Dec/2026:11:00:00 +0000] "GET %s HTTP/1.1" 404 153 "-" "<?php eval($_POST[x]); ?>"\n'%p)
        f.write('198.51.100.7 - - [04/Dec/2026:11:00:01 +0000] "POST /wp-login.php HTTP/1.1" 200 4000 "-" "Mozilla/5.0"\n')
# The same log with only probes that run nothing of the request (phpinfo, URL probes), and one with encoded probes.
with open('access-probes.log','w') as f:
    n=0
    while f.tell() < 17*1024*1024:
        n+=1
        f.write('203.0.113.%d - - [04/Dec/2026:10:%02d:%02d +0000] "GET /blog/page/%d HTTP/1.1" 200 5123 "-" "Mozilla/5.0"\n'%(n%250,n%60,n%60,n))
    for p in ['/index.php?s=/Index/\\think\\app/invokefunction&function=call_user_func_array&vars[0]=system&vars[1][]=id',
              '/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php', '/?x=<?php phpinfo(); ?>', '/?%3C%3Fphp%20system(%24_GET%5Bc%5D)%3B%3F%3E']:
        f.write('198.51.100.7 - - [04/Dec/2026:11:00:00 +0000] "GET %s HTTP/1.1" 404 153 "-" "zgrab/0.x"\n'%p)
