<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>404 Page Not Found</title></head>
<body><h1>404 Page Not Found</h1><p>The page you requested was not found.</p></body></html>
